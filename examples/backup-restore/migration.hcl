# Backup/restore: move the demo database between two shared-nothing
# clusters with StarRocks' own BACKUP SNAPSHOT and RESTORE, through a
# repository in ./repo next to this file. Start the sandbox with a
# shared-nothing target first:
#
#   srplan sandbox -target-mode shared-nothing
#   srplan plan  -f examples/backup-restore/migration.hcl -var 'src_hosts=["127.0.0.1:PORT"]' -var 'dst_hosts=["127.0.0.1:PORT"]'
#   srplan apply -f examples/backup-restore/migration.hcl -var ...
#
# Against real clusters use an s3 storage for the repository: both clusters
# must reach it, and its endpoint and keys become the repository's
# properties.

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

storage "local" "repo" {
  path = "./repo"
}

state {
  path = ".srplan/state.db"
}

# srplan creates the repository on the source, and READ ONLY with the same
# name and location on the target, when they do not have it.
repository "srplan_demo" {
  storage = storage.repo
  path    = "backups"

  # StarRocks cannot drop a snapshot. With cleanup = true srplan deletes a
  # snapshot's files here once every partition in it is verified; a
  # snapshot a failed or unfinished partition still needs is kept.
  # cleanup = true
}

# Every table of the demo database, one snapshot per batch of partitions.
# A changed partition is restored into a staging table and swapped in.
table "demo.*" {
  from       = source.old
  to         = target.new
  via        = storage.repo
  method     = "backup"
  repository = repository.srplan_demo

  schema {
    properties = { replication_num = "1" }
  }

  verify {
    mode = "checksum"
  }
}
