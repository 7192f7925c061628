# method backup without a repository.
# want: 14: Missing repository
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
  method = "backup"
}
