# Cross-cloud: the source cluster exports to an S3-compatible bucket on its
# side; a separate copy tool moves the files to the target side's bucket,
# whose S3 event notifications reach SQS and trigger the loads. Shared state
# and the lock live in DynamoDB, so several apply workers can cooperate.
#
#   export SRPLAN_VAR_src_password=... SRPLAN_VAR_dst_password=...
#   export SRPLAN_VAR_stage_access_key=... SRPLAN_VAR_stage_secret_key=...
#   srplan plan -f examples/crosscloud/migration.hcl

variable "src_hosts" {
  type    = list(string)
  default = ["sr-old-fe1:9030", "sr-old-fe2:9030"]
}

variable "dst_hosts" {
  type    = list(string)
  default = ["sr-new-fe1:9030"]
}

variable "src_password" {
  type      = string
  default   = ""
  sensitive = true
}

variable "dst_password" {
  type      = string
  default   = ""
  sensitive = true
}

# Static keys for the staging bucket. Leave both empty to use the default
# AWS credential chain (environment, profile, instance role).
variable "stage_access_key" {
  type      = string
  default   = ""
  sensitive = true
}

variable "stage_secret_key" {
  type      = string
  default   = ""
  sensitive = true
}

variable "region" {
  type    = string
  default = "us-east-2"

  validation {
    condition     = can(regex("^[a-z]{2}-[a-z]+-[0-9]$", var.region))
    error_message = "The region must look like \"us-east-2\"."
  }
}

locals {
  bucket = "srplan-migration"
  queue  = "https://sqs.${var.region}.amazonaws.com/123456789012/srplan-loads"
}

source "starrocks" "old" {
  hosts           = var.src_hosts
  user            = "migrator"
  password        = var.src_password
  connect_timeout = "15s"
  read_timeout    = "5m"
}

target "starrocks" "new" {
  hosts    = var.dst_hosts
  user     = "migrator"
  password = var.dst_password

  tls {
    server_name = "sr-new.internal"
  }
}

storage "s3" "stage" {
  url        = "s3://${local.bucket}/srplan"
  region     = var.region
  endpoint   = "https://s3.${var.region}.amazonaws.com"
  path_style = false
  access_key = var.stage_access_key
  secret_key = var.stage_secret_key

  events {
    sqs_queue_url         = local.queue
    dead_letter_queue_url = "${local.queue}-dlq"
  }
}

state {
  path = ".srplan/state.db"

  dynamodb {
    table     = "srplan-state"
    region    = var.region
    workspace = "sales-2025"
  }
}

throttle "default" {
  exports            = 4
  loads              = 4
  source_max_cpu_pct = 70
  target_max_mem_pct = 85

  window "night" {
    hours     = "20:00-08:00"
    time_zone = "Europe/Berlin"
    exports   = 12
    loads     = 12
  }

  window "weekend" {
    days      = ["sat", "sun"]
    time_zone = "Europe/Berlin"
    exports   = 24
    loads     = 24
  }
}

table "sales.orders" {
  method   = "files"
  throttle = throttle.default

  partitions {
    include = ["p2023*", "p2024*"]
    exclude = ["p20240229"]
    from    = "p20230101"
    to      = "p20250101"
  }

  where = "tenant_id <> 0"
  split = { column = "user_id", parts = 8 }

  schema {
    create          = true
    properties      = { replication_num = "3" }
    drop_properties = ["storage_volume"]
  }

  verify {
    mode = "sums"
    sums = ["amount", "qty"]
  }
}

table "sales.*" {
  method       = "auto"
  target_table = "sales.*"
  throttle     = throttle.default

  verify {
    mode = "checksum"
  }
}
