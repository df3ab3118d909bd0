/**
 * SMN PublishMessage on sdk-core, with the official SDK's names
 * (SmnClient.publishMessage, PublishMessageRequest, PublishMessageRequestBody):
 *
 *   POST /v2/{project_id}/notifications/topics/{topic_urn}/publish   {subject, message}
 *
 * IAM action smn:topic:publish. Subject at most 512 bytes without line breaks,
 * message below 256 KB: both checked before anything is sent. sdk-core pastes
 * path parameters unencoded, so the URN is checked against its published form.
 */
import { CoreServiceClient } from '../cloud/service-client';
import { invalidRequest, type ServiceLabel } from '../dcs/errors';
import type { CoreEndpointConfig } from '../dcs/sdk-core';
import { SMN_TOPIC_URN } from '../policy/vocabulary';
import { MAX_MESSAGE_BYTES, MAX_SUBJECT_BYTES, utf8Length } from './message';

export interface PublishMessageRequestBody {
  subject?: string;
  message: string;
}

export interface PublishMessageRequest {
  topicUrn: string;
  body: PublishMessageRequestBody;
}

export interface PublishMessageResponse {
  requestId: string | null;
  messageId: string | null;
}

export const SMN_SERVICE: ServiceLabel = { name: 'SMN', endpointSettings: 'SMN_ENDPOINT or the topic URN\'s region' };

export class SmnClient {
  readonly #core: CoreServiceClient;

  constructor(config: CoreEndpointConfig, now?: () => number) {
    this.#core = new CoreServiceClient(config, SMN_SERVICE, now);
  }

  async publishMessage(request: PublishMessageRequest, options: { deadlineEpochMs?: number } = {}): Promise<PublishMessageResponse> {
    const { topicUrn, body } = request;
    if (!SMN_TOPIC_URN.test(topicUrn)) throw invalidRequest('invalid_topic_urn', 'topicUrn must be urn:smn:<region>:<project id>:<topic name>');
    if (body.subject !== undefined && (utf8Length(body.subject) > MAX_SUBJECT_BYTES || /[\r\n]/.test(body.subject))) {
      throw invalidRequest('invalid_subject', `subject must be at most ${MAX_SUBJECT_BYTES} bytes, without line breaks`);
    }
    if (body.message === '' || utf8Length(body.message) > MAX_MESSAGE_BYTES) throw invalidRequest('invalid_message', 'message must be 1 byte to 256 KB');
    const raw = await this.#core.send(
      {
        operation: 'publishMessage',
        method: 'POST',
        url: '/v2/{project_id}/notifications/topics/{topic_urn}/publish',
        pathParams: { topic_urn: topicUrn },
        body: body.subject === undefined ? { message: body.message } : { subject: body.subject, message: body.message },
      },
      options.deadlineEpochMs,
    );
    const answer = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 128) : null);
    return { requestId: text(answer.request_id), messageId: text(answer.message_id) };
  }
}
