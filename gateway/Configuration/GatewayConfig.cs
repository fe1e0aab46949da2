using System.Collections.Immutable;

namespace Gateway.Configuration;

/// <summary>
/// The whole gateway configuration, validated and with every default and <c>{stateDir}</c>
/// placeholder applied. Built by <see cref="ConfigLoader"/>; never half-valid.
/// </summary>
/// <param name="StateDir">Absolute directory holding the policy store, CA, admin socket and audit log.</param>
/// <param name="Listen">Where the gateway accepts connections.</param>
/// <param name="Transparent">Ports dialled for redirected connections with no known destination port.</param>
/// <param name="Policy">The policy a fresh state directory starts from, and whether it is enforced.</param>
/// <param name="Resolve">Static name-to-address answers consulted before DNS.</param>
/// <param name="Egress">Refused address ranges opened on purpose.</param>
/// <param name="Trust">Extra roots for upstream TLS.</param>
/// <param name="Upstream">The customer's SOCKS5 proxy, if traffic must leave through one.</param>
/// <param name="Credentials">Named credential sources on the host.</param>
/// <param name="Kits">Absolute paths or globs of kit <c>spec.yaml</c> files.</param>
/// <param name="Sandboxes">Sandboxes known before any registration (vmm registers the rest).</param>
/// <param name="Limits">Connection count and timeouts.</param>
/// <param name="Audit">The JSON Lines audit file and its rotation.</param>
/// <param name="Dns">The sandbox-facing resolver's answers.</param>
internal sealed record GatewayConfig(
    string StateDir,
    ListenConfig Listen,
    TransparentConfig Transparent,
    PolicyConfig Policy,
    ResolveConfig Resolve,
    EgressConfig Egress,
    TrustConfig Trust,
    UpstreamConfig Upstream,
    CredentialsConfig Credentials,
    ImmutableArray<string> Kits,
    ImmutableArray<SandboxConfig> Sandboxes,
    LimitsConfig Limits,
    AuditConfig Audit,
    DnsConfig? Dns = null)
{
    /// <summary>
    /// The absolute path of the file this configuration was read from, null for the embedded
    /// default: <c>GET /status</c> names it so vmm can hide it from sandboxes (it may hold literal
    /// credentials).
    /// </summary>
    public string? SourceFile { get; init; }

    /// <summary>
    /// The embedded default (forward proxy on 127.0.0.1:3128, Balanced) for
    /// <paramref name="stateDir"/>, built by the same validator a file goes through so the two
    /// cannot drift apart. Tests and tools start from it and change what they need with <c>with</c>.
    /// </summary>
    public static GatewayConfig CreateDefault(string stateDir)
    {
        var errors = new List<string>();
        var options = new ConfigLoadOptions { StateDirOption = stateDir };
        GatewayConfig config = ConfigValidator.Validate(
            root: null, options.WorkingDirectory, options, ConfigLoader.NoEnvironment, errors);
        return errors.Count == 0
            ? config
            : throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(stateDir));
    }
}
