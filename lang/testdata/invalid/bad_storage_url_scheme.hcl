# an http URL for s3 storage.
# want: 15: Invalid storage URL
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
storage "s3" "s3stage" {
  url = "https://bucket.s3.amazonaws.com/prefix"
}
