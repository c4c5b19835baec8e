//go:build race

package match

// raceSlowdown is how much slower the race detector makes the scans a
// timing test measures.
const raceSlowdown = 10
