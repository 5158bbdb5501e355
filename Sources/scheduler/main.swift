// The scheduler executable; flags and wiring land with SchedulerCommand.
print("scheduler: not wired yet")
