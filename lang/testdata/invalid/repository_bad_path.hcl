# a repository path that leaves the storage.
# want: 16: Invalid repository path
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
repository "bk" {
  storage = storage.stage
  path    = "../elsewhere"
}
table "sales.orders" {
  method     = "backup"
  repository = repository.bk
}
