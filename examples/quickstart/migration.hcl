# Quickstart: copy the demo database between two local StarRocks endpoints
# (the srplan sandbox starts simulators on 127.0.0.1:9030 by default),
# staging the exported files in ./stage next to this file.
#
#   srplan plan  -f examples/quickstart/migration.hcl
#   srplan apply -f examples/quickstart/migration.hcl
#
# Point it at other clusters with -var, a -var-file or SRPLAN_VAR_name:
#   srplan plan -var 'src_hosts=["10.0.0.1:9030"]' -var 'dst_hosts=["10.0.1.1:9030"]'

variable "src_hosts" {
  type        = list(string)
  default     = ["127.0.0.1:9030"]
  description = "FE query endpoints of the source cluster."
}

variable "dst_hosts" {
  type        = list(string)
  default     = ["127.0.0.1:9030"]
  description = "FE query endpoints of the target cluster."
}

variable "src_password" {
  type        = string
  default     = ""
  sensitive   = true
  description = "Password of the source user (SRPLAN_VAR_src_password)."
}

variable "dst_password" {
  type        = string
  default     = ""
  sensitive   = true
  description = "Password of the target user (SRPLAN_VAR_dst_password)."
}

source "starrocks" "old" {
  hosts    = var.src_hosts
  user     = "root"
  password = var.src_password
}

target "starrocks" "new" {
  hosts    = var.dst_hosts
  user     = "root"
  password = var.dst_password
}

storage "local" "stage" {
  path = "./stage"
}

state {
  path = ".srplan/state.db"
}

throttle "default" {
  exports = 2
  loads   = 2

  # Evenings and nights are quiet on the source: copy faster then.
  window "night" {
    hours     = "20:00-08:00"
    time_zone = "UTC"
    exports   = 4
    loads     = 4
  }
}

# One table copied by name, every partition, verified by checksum.
table "demo.orders" {
  from     = source.old
  to       = target.new
  via      = storage.stage
  throttle = throttle.default

  verify {
    mode = "checksum"
  }
}

# Every other table of the demo database; demo.orders above takes
# precedence over this pattern because exact labels win.
table "demo.*" {
  from     = source.old
  to       = target.new
  via      = storage.stage
  throttle = throttle.default

  partitions {
    exclude = ["*_tmp"]
  }

  verify {
    mode = "checksum"
  }
}
