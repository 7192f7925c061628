# load_via names a storage that does not exist.
# want: 16: Reference to undeclared storage
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
  via      = storage.stage
  load_via = storage.s3side
}
