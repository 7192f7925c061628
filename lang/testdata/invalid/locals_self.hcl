# a local that refers to itself.
# want: 15: Cycle in local values
source "starrocks" "old" {
  hosts = ["fe1:9030"]
  user  = "root"
}
target "starrocks" "new" {
  hosts = ["fe2:9030"]
  user  = "root"
}
storage "local" "stage" {
  path = "./stage"
}
locals {
  hosts = concat(local.hosts, ["fe3"])
}
