# throttle names a throttle that does not exist.
# want: 17: Reference to undeclared throttle
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
throttle "default" {
}
table "sales.orders" {
  throttle = throttle.night
}
