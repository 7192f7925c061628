# split with method export.
# want: 16: Method export cannot split partitions
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
  method = "export"
  split  = { column = "user_id", parts = 4 }
}
