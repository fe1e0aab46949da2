namespace Vmm.Admin;

/// <summary>No gateway answers on the admin socket of the chosen state directory.</summary>
internal sealed class GatewayNotRunningException(string socketPath, string reason)
    : Exception($"the gateway is not running ({reason} at {socketPath}); start it with `gateway run --state-dir {Path.GetDirectoryName(socketPath)}` or pick its state directory with --state-dir or GATEWAY_STATE_DIR");
