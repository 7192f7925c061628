package starrocks

import "testing"

func TestParseDataSize(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in      string
		want    int64
		wantErr bool
	}{
		"zero":              {in: "0B", want: 0},
		"bytes":             {in: "617B", want: 617},
		"kilobytes":         {in: "4KB", want: 4096},
		"one decimal":       {in: "2.5KB", want: 2560},
		"megabytes":         {in: "12.3MB", want: 12897485}, // 12.3 * 1048576 = 12897484.8
		"gigabytes spaced":  {in: "1.000 GB", want: 1 << 30},
		"terabytes":         {in: "1TB", want: 1 << 40},
		"petabytes":         {in: "3PB", want: 3 << 50},
		"exabytes":          {in: "1EB", want: 1 << 60},
		"lower case":        {in: "4kb", want: 4096},
		"surrounding space": {in: "  7 MB ", want: 7 << 20},
		"trailing zeros":    {in: "1.50KB", want: 1536},
		"too large":         {in: "8EB", wantErr: true},
		"empty":             {in: "", wantErr: true},
		"no unit":           {in: "12", wantErr: true},
		"unit only":         {in: "KB", wantErr: true},
		"unknown unit":      {in: "3KiB", wantErr: true},
		"bits":              {in: "3Kb?", wantErr: true},
		"negative":          {in: "-1KB", wantErr: true},
		"exponent":          {in: "1e3KB", wantErr: true},
		"hex":               {in: "0x10B", wantErr: true},
		"two dots":          {in: "1.2.3KB", wantErr: true},
		"leading dot":       {in: ".5KB", wantErr: true},
		"trailing dot":      {in: "5.KB", wantErr: true},
		"inf":               {in: "InfB", wantErr: true},
		"null text":         {in: "NULL", wantErr: true},
		"junk":              {in: "lots", wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseDataSize(tc.in)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("ParseDataSize(%q) = %d, want an error", tc.in, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDataSize(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("ParseDataSize(%q) = %d, want %d", tc.in, got, tc.want)
			}
		})
	}
}
