//go:build !race

package match

// raceSlowdown is how much slower the race detector makes the scans a
// timing test measures: 1 without it.
const raceSlowdown = 1
