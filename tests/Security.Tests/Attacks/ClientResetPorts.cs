namespace Security.Tests.Attacks;

/// <summary>The ports of the daemon's listeners that a sandbox (or a host process, for metrics) can reach.</summary>
internal sealed record ClientResetPorts(int Forward, int TransparentTls, int TransparentHttp, int Dns, int Metrics);
