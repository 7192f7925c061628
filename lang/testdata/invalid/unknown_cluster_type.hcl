# a cluster type srplan does not know.
# want: 14: Unsupported source type
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
source "mysql" "legacy" {
  hosts = ["db:3306"]
  user  = "root"
}
