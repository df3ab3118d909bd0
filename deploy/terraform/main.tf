# dcs-session-guard on FunctionGraph (docs/deploy.md, "Terraform").
# Both functions from the built zips (npm run build), their triggers, the agency with a
# least-privilege custom role (the actions of deploy/iam-policy.json, read from that file),
# optionally the SMN topic, Cloud Eye alarm rules on the DCS connection metrics, and LTS.

provider "huaweicloud" {
  region = var.region
}

locals {
  topic_urn = var.create_topic ? huaweicloud_smn_topic.alarms[0].id : var.topic_urn
  # The settings both functions read (README, Configuration). Safe by default: dry run.
  environment = merge(var.environment, {
    HUAWEICLOUD_SDK_PROJECT_ID = var.project_id
    DCS_REGION                 = var.region
    GUARD_DRY_RUN              = tostring(var.dry_run)
  })
  functions = {
    alarm = "Kills DCS client sessions on Cloud Eye connection alarms, guarded and audited."
    cron  = "Timer-triggered DCS session cleanup, guarded and audited."
  }
  # Alarm rules: one per instance and metric.
  alarm_metrics = {
    connections_usage    = { threshold = var.connections_usage_threshold, unit = "%" }
    rejected_connections = { threshold = 0, unit = "Count" }
  }
  alarm_rules = {
    for pair in setproduct(var.alarm_instance_ids, keys(local.alarm_metrics)) : "${pair[0]}/${pair[1]}" => {
      instance_id = pair[0]
      metric      = pair[1]
    }
  }
}

# --- Permissions: the function's agency and its custom role ---

resource "huaweicloud_identity_role" "guard" {
  name        = "${var.name_prefix}-dcs"
  description = "dcs-session-guard: read DCS instances, nodes, sessions and jobs; kill client sessions."
  type        = "XA"
  policy      = file("${path.module}/../iam-policy.json")
}

resource "huaweicloud_identity_agency" "guard" {
  name                   = var.name_prefix
  description            = "Delegates to FunctionGraph: the dcs-session-guard functions sign DCS calls with its temporary credentials."
  delegated_service_name = "op_svc_cff"

  project_role {
    project = var.region
    roles   = [huaweicloud_identity_role.guard.name]
  }
}

# --- Logs: the audit lines ---

resource "huaweicloud_lts_group" "guard" {
  count       = var.lts_log ? 1 : 0
  group_name  = var.name_prefix
  ttl_in_days = var.lts_ttl_days
}

resource "huaweicloud_lts_stream" "guard" {
  count       = var.lts_log ? 1 : 0
  group_id    = huaweicloud_lts_group.guard[0].id
  stream_name = "${var.name_prefix}-audit"
}

# --- The two functions ---

resource "huaweicloud_fgs_function" "guard" {
  for_each      = local.functions
  name          = "${var.name_prefix}-${each.key}"
  app           = "default"
  runtime       = "Node.js20.15"
  handler       = "index.handler"
  memory_size   = var.memory_size
  timeout       = var.timeout
  code_type     = "zip"
  code_filename = "${each.key}.zip"
  func_code     = filebase64("${path.module}/${var.dist_dir}/${each.key}.zip")
  # The alarm function accepts messages from its topic only.
  user_data     = jsonencode(each.key == "alarm" ? merge(local.environment, { SMN_TOPIC_URNS = local.topic_urn }) : local.environment)
  agency        = huaweicloud_identity_agency.guard.name
  app_agency    = huaweicloud_identity_agency.guard.name
  description   = each.value
  log_group_id  = var.lts_log ? huaweicloud_lts_group.guard[0].id : null
  log_stream_id = var.lts_log ? huaweicloud_lts_stream.guard[0].id : null
  tags          = { "managed-by" = "dcs-session-guard-terraform" }
}

# --- Delivery: SMN topic and trigger, timers, optional HTTPS webhook ---

resource "huaweicloud_smn_topic" "alarms" {
  count        = var.create_topic ? 1 : 0
  name         = "${var.name_prefix}-alarms"
  display_name = "DCS connection alarms for dcs-session-guard"
}

resource "huaweicloud_fgs_function_trigger" "smn" {
  function_urn = huaweicloud_fgs_function.guard["alarm"].urn
  type         = "SMN"
  status       = "ACTIVE"
  event_data = jsonencode({
    topic_urn = local.topic_urn
  })
}

resource "huaweicloud_fgs_function_trigger" "timer" {
  for_each     = var.timers
  function_urn = huaweicloud_fgs_function.guard["cron"].urn
  type         = "TIMER"
  status       = "ACTIVE"
  event_data = jsonencode({
    name          = each.key
    schedule_type = "Cron"
    schedule      = each.value
    user_event    = jsonencode({ schedule = each.key })
  })
}

resource "huaweicloud_fgs_function_trigger" "apig" {
  count        = var.apig_group_id == "" ? 0 : 1
  function_urn = huaweicloud_fgs_function.guard["alarm"].urn
  type         = "APIG"
  status       = "ACTIVE"
  event_data = jsonencode({
    name         = replace("${var.name_prefix}_cloudeye", "-", "_")
    type         = 1
    path         = "/cloudeye"
    protocol     = "HTTPS"
    req_method   = "POST"
    group_id     = var.apig_group_id
    env_name     = "RELEASE"
    env_id       = "DEFAULT_ENVIRONMENT_RELEASE_ID"
    match_mode   = "NORMAL"
    auth         = "NONE"
    backend_type = "FUNCTION"
    func_info    = { timeout = 5000, invocation_type = "sync" }
  })
}

# --- Cloud Eye alarm rules on the DCS connection metrics, published to the topic ---

resource "huaweicloud_ces_alarmrule" "connections" {
  for_each   = local.alarm_rules
  alarm_name = "${var.name_prefix}-${each.value.metric}-${substr(each.value.instance_id, 0, 8)}"

  metric {
    namespace = "SYS.DCS"
  }

  resources {
    dimensions {
      name  = "dcs_instance_id"
      value = each.value.instance_id
    }
  }

  condition {
    metric_name         = each.value.metric
    period              = 60
    filter              = "average"
    comparison_operator = ">"
    value               = local.alarm_metrics[each.value.metric].threshold
    unit                = local.alarm_metrics[each.value.metric].unit
    count               = 2
    alarm_level         = 2
    suppress_duration   = 300
  }

  alarm_actions {
    type              = "notification"
    notification_list = [local.topic_urn]
  }

  ok_actions {
    type              = "notification"
    notification_list = [local.topic_urn]
  }

  alarm_enabled = true
}
