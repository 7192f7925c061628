# a pattern block renamed to a single table.
# want: 15: Invalid target table
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
table "sales.*" {
  target_table = "archive.orders"
}
