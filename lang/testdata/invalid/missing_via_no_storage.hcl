# no via and no storage block.
# want: 11: Missing required argument
source "starrocks" "old" {
  hosts = ["fe1"]
  user  = "root"
}
target "starrocks" "new" {
  hosts = ["fe2"]
  user  = "root"
}
table "sales.orders" {
}
