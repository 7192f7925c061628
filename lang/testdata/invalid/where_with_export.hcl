# a row filter with method export.
# want: 16: Method export cannot filter rows
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
  where  = "tenant_id <> 0"
}
