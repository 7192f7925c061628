# storage keys written in the spec.
# want: 17: Credential written in the spec
# want: 18: Credential written in the spec
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
  url        = "s3://bucket/prefix"
  access_key = "AKIAEXAMPLE"
  secret_key = "wJalrEXAMPLE"
}
