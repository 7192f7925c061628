# a table naming a repository that is not declared.
# want: 16: Reference to undeclared repository
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
  method     = "backup"
  repository = repository.bkp
}
