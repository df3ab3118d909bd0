output "alarm_function_urn" {
  description = "URN of the alarm function."
  value       = huaweicloud_fgs_function.guard["alarm"].urn
}

output "cron_function_urn" {
  description = "URN of the cron function."
  value       = huaweicloud_fgs_function.guard["cron"].urn
}

output "topic_urn" {
  description = "URN of the SMN topic the alarm function listens to."
  value       = local.topic_urn
}

output "agency_name" {
  description = "The functions' agency (FunctionGraph delegates to it)."
  value       = huaweicloud_identity_agency.guard.name
}
