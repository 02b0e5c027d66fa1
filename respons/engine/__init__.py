"""The simulation engine: arrivals, contacts, rosters, the SimPy core and one replication.
Imports only `respons.config`."""
