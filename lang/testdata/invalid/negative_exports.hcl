# a negative concurrency.
# want: 16: Negative concurrency
# want: 19: Negative concurrency
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
  exports = -1
  window "night" {
    hours = "20:00-08:00"
    loads = -2
  }
}
