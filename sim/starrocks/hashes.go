package starrocks

import (
	"encoding/binary"
	"hash/crc32"
	"math/bits"

	"github.com/zeebo/xxh3"
)

// murmur3Seed is the seed of StarRocks' murmur_hash3_32 (HashUtil's
// MURMUR3_32_SEED). [unconfirmed in STARROCKS.md] 104729 as in StarRocks'
// BE source; the test pins the resulting vectors.
const murmur3Seed uint32 = 104729

// xxh3Seed is the initial seed of xx_hash3_64 (0, i.e. plain XXH3-64 for
// one argument).
const xxh3Seed uint64 = 0

// murmur3x86_32 is MurmurHash3_x86_32.
func murmur3x86_32(data []byte, seed uint32) uint32 {
	const c1, c2 = 0xcc9e2d51, 0x1b873593
	h := seed
	n := len(data) / 4
	for i := 0; i < n; i++ {
		k := binary.LittleEndian.Uint32(data[i*4:])
		k *= c1
		k = bits.RotateLeft32(k, 15)
		k *= c2
		h ^= k
		h = bits.RotateLeft32(h, 13)
		h = h*5 + 0xe6546b64
	}
	tail := data[n*4:]
	var k uint32
	switch len(tail) {
	case 3:
		k ^= uint32(tail[2]) << 16
		fallthrough
	case 2:
		k ^= uint32(tail[1]) << 8
		fallthrough
	case 1:
		k ^= uint32(tail[0])
		k *= c1
		k = bits.RotateLeft32(k, 15)
		k *= c2
		h ^= k
	}
	h ^= uint32(len(data))
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}

// murmurHash3_32 chains the hash over the arguments as StarRocks does: each
// argument is hashed with the previous result as seed.
func murmurHash3_32(args []string) int32 {
	seed := murmur3Seed
	for _, a := range args {
		seed = murmur3x86_32([]byte(a), seed)
	}
	return int32(seed)
}

// xxHash3_64 chains XXH3-64 over the arguments, seeding each with the
// previous result, and returns the value as a signed BIGINT.
func xxHash3_64(args []string) int64 {
	seed := xxh3Seed
	for _, a := range args {
		seed = xxh3.HashStringSeed(a, seed)
	}
	return int64(seed)
}

// crc32IEEE is StarRocks' crc32 (IEEE polynomial) as a BIGINT.
func crc32IEEE(s string) int64 { return int64(crc32.ChecksumIEEE([]byte(s))) }
