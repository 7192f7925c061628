# split into more parts than allowed.
# want: 15: Invalid split parts
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
table "sales.orders" {
  split = { column = "user_id", parts = 4096 }
}
