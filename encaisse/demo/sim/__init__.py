"""The simulator's parts; `encaisse.demo.simulator` puts them together, one day at a time."""
