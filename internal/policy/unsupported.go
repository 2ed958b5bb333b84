package policy

// unsupported maps keys of Baton's planned features (promotion order,
// soak time, health gates, windows, branch promotion), which a user may
// write, to why this version refuses them: accepting a key Baton does not
// enforce would make people believe a protection exists. Each entry goes
// when its feature lands.
var unsupported = map[string]map[string]string{
	"": {
		"promotions": "Baton does not promote branches (from: → to: pull requests) in this version; remove it and declare environments:",
	},
	"release": {
		"every-merge": "Baton tags only the merges of its own promotion pull requests in this version; remove it",
	},
	"env": {
		"after":   "Baton does not enforce promotion order in this version; remove it (each environment is bumped by its own branches: or tags:)",
		"soak":    "Baton does not enforce a soak time in this version; remove it",
		"healthy": "Baton does not check the source environment's health in this version; remove it (checks: lists the checks a promotion pull request must pass)",
		"promote": "Baton does not open promotions by itself in this version; remove it",
		"windows": "Baton does not enforce merge windows in this version; remove it (/hold pauses a merge)",
	},
}
