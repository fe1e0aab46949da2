namespace Gateway.Configuration;

/// <summary>
/// Defaults as the operator would write them (DESIGN.md "Configuration"). They go through the
/// same parsing as file values, so a default can never mean something a file value would not.
/// </summary>
internal static class ConfigDefaults
{
    /// <summary>The forward proxy a newcomer's curl points at.</summary>
    public const string Forward = "127.0.0.1:3128";

    /// <summary>Prometheus scrape endpoint.</summary>
    public const string Metrics = "127.0.0.1:9090";

    /// <summary>Metrics stay on loopback unless the operator opts in.</summary>
    public const string MetricsAllowRemote = "false";

    /// <summary>
    /// <c>listen.transport</c>: Kestrel's socket transport until the gateway's own has passed the
    /// whole suite and matched it in perf (perf/results/transport.md says what is left).
    /// </summary>
    public const string Transport = "kestrel";

    /// <summary>The admin API socket the CLI and vmm use.</summary>
    public const string Admin = "unix:{stateDir}/admin.sock";

    /// <summary>The JSON Lines audit file.</summary>
    public const string AuditFile = "{stateDir}/audit.jsonl";

    /// <summary>Rotate the audit file after this size.</summary>
    public const string AuditMaxFileSize = "100MiB";

    /// <summary>Rotated audit files kept.</summary>
    public const string AuditKeep = "10";

    /// <summary>Refusals per second and sandbox written to the audit file past the burst.</summary>
    public const string AuditRefusalsPerSecond = "20";

    /// <summary>Refusals a sandbox may write at once before the rate applies.</summary>
    public const string AuditRefusalBurst = "200";

    /// <summary>Rows of the daemon's <c>policy log</c> aggregate, all sandboxes together.</summary>
    public const string AuditLogRows = "100000";

    /// <summary>Rows of the daemon's <c>policy log</c> aggregate per sandbox.</summary>
    public const string AuditLogRowsPerSandbox = "10000";

    /// <summary>Time to send the CONNECT head, ClientHello or request head.</summary>
    public const string HeaderTimeout = "10s";

    /// <summary>Idle tunnel lifetime.</summary>
    public const string IdleTimeout = "5m";

    /// <summary>Upstream connect timeout.</summary>
    public const string ConnectTimeout = "10s";

    /// <summary>Connections held at once.</summary>
    public const string MaxConnections = "50000";

    /// <summary>Upstream requests in flight per intercepted client connection (<see cref="LimitsConfig.UpstreamRequestsPerConnection"/>).</summary>
    public const string UpstreamRequestsPerConnection = "16";

    /// <summary>HTTP/2 control frames per second per intercepted connection (<see cref="LimitsConfig.Http2ControlFramesPerSecond"/>).</summary>
    public const string Http2ControlFramesPerSecond = "1000";

    /// <summary>Port dialled for transparent TLS without an original destination.</summary>
    public const string DialTlsPort = "443";

    /// <summary>Port dialled for transparent HTTP without an original destination.</summary>
    public const string DialHttpPort = "80";

    /// <summary>The policy a fresh state directory starts from.</summary>
    public const string InitialDefault = "balanced";

    /// <summary>Denials are enforced unless report mode is chosen.</summary>
    public const string Mode = "enforce";
}
