# method export with a repository it would never use.
# want: 19: Repository not used
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
}
table "sales.orders" {
  method     = "export"
  repository = repository.bk
}
