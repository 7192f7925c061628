# sums with mode count.
# want: 17: Unexpected verify sums
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
  verify {
    mode = "count"
    sums = ["amount"]
  }
}
