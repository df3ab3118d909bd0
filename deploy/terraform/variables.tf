variable "region" {
  type        = string
  description = "Region of the functions and the DCS instances, e.g. cn-north-4."
  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "region must be a region id such as cn-north-4."
  }
}

variable "project_id" {
  type        = string
  description = "Project id (32 hexadecimal characters); the functions' HUAWEICLOUD_SDK_PROJECT_ID."
  validation {
    condition     = can(regex("^[0-9a-f]{32}$", var.project_id))
    error_message = "project_id must be 32 lower-case hexadecimal characters."
  }
}

variable "name_prefix" {
  type        = string
  default     = "dcs-session-guard"
  description = "Prefix of every resource name: <prefix>-alarm, <prefix>-cron, the agency, the role, the topic."
  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_-]{0,50}$", var.name_prefix))
    error_message = "name_prefix: letters, digits, '-' and '_', starting with a letter, at most 51 characters."
  }
}

variable "dist_dir" {
  type        = string
  default     = "../../dist"
  description = "Folder holding alarm.zip and cron.zip (npm run build), relative to this module."
}

variable "dry_run" {
  type        = bool
  default     = true
  description = "GUARD_DRY_RUN: true decides and audits but never kills. Set false only once the audit lines look right."
}

variable "memory_size" {
  type        = number
  default     = 256
  description = "Memory of each function, in MB (one of FunctionGraph's sizes)."
  validation {
    condition     = contains([128, 256, 512, 768, 1024, 1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096], var.memory_size)
    error_message = "memory_size must be one of 128, 256, 512, 768, 1024, 1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096."
  }
}

variable "timeout" {
  type        = number
  default     = 60
  description = "Timeout of each function, in seconds; keep it at least the policy's jobs.waitSeconds + 10."
  validation {
    condition     = var.timeout >= 3 && var.timeout <= 259200
    error_message = "timeout must be between 3 and 259200 seconds."
  }
}

variable "environment" {
  type        = map(string)
  default     = {}
  description = "More settings of the functions (GUARD_REDIS_URL, SMN_MAX_AGE_SECONDS, ...). HUAWEICLOUD_SDK_PROJECT_ID, DCS_REGION, GUARD_DRY_RUN and SMN_TOPIC_URNS are set by the module."
  validation {
    condition     = alltrue([for k in keys(var.environment) : can(regex("^(DCS|GUARD|SMN)_[A-Z0-9_]+$", k)) && !contains(["GUARD_DRY_RUN", "DCS_REGION"], k)])
    error_message = "environment keys must be settings of the functions (DCS_*, GUARD_*, SMN_*), not GUARD_DRY_RUN or DCS_REGION (set by the module); never credentials."
  }
}

variable "create_topic" {
  type        = bool
  default     = true
  description = "Create the SMN topic the alarms publish to. false: give topic_urn."
}

variable "topic_urn" {
  type        = string
  default     = ""
  description = "An existing SMN topic URN, used when create_topic is false."
  validation {
    condition     = var.topic_urn == "" || can(regex("^urn:smn:[a-z0-9-]+:[A-Za-z0-9]+:[A-Za-z0-9_-]+$", var.topic_urn))
    error_message = "topic_urn must be an SMN topic URN: urn:smn:<region>:<project id>:<topic>."
  }
}

variable "alarm_instance_ids" {
  type        = list(string)
  default     = []
  description = "DCS instances to create Cloud Eye alarm rules for (connections usage and rejected connections); empty: no alarm rules."
  validation {
    condition     = alltrue([for id in var.alarm_instance_ids : can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", id))])
    error_message = "alarm_instance_ids must be DCS instance ids (lower-case UUIDs)."
  }
}

variable "connections_usage_threshold" {
  type        = number
  default     = 90
  description = "Alarm when connections_usage (percent) is above this for two periods."
}

variable "timers" {
  type        = map(string)
  default     = {}
  description = "One TIMER trigger per schedule of the policy: schedule name => 6-field cron (sec min hour day month weekday), e.g. { nightly = \"0 0 3 * * *\" }."
}

variable "apig_group_id" {
  type        = string
  default     = ""
  description = "API group for the optional HTTPS webhook (POST /cloudeye, no gateway auth: the function verifies SMN's signature); empty: no APIG trigger."
}

variable "lts_log" {
  type        = bool
  default     = true
  description = "Create an LTS log group and stream and send both functions' logs (the audit lines) there."
}

variable "lts_ttl_days" {
  type        = number
  default     = 30
  description = "How long LTS keeps the audit lines, in days."
}
