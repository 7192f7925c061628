# three locals that depend on each other in a ring.
# want: 17: Cycle in local values
# want: 18: Cycle in local values
# want: 19: Cycle in local values
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
  a = local.c
  b = "${local.a}-b"
  c = upper(local.b)
  d = "ok"
}
