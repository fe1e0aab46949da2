using System.Globalization;
using System.Text;

namespace LoadDriver.Suite.Peers;

/// <summary>
/// The gateway under test, from its Release build: deny-all plus one rule allowing the
/// origin (127.0.0.1 and <c>*.example.test</c>), <c>resolve.hosts</c> naming the origin,
/// loopback opened in <c>egress.allowCidrs</c>. Its audit log and metrics stay on: they are
/// part of the product (the report says so), unlike the peers' access logs.
/// </summary>
internal static class Gateway
{
    /// <summary>Warm host names S6 uses; each is listed in <c>resolve.hosts</c>.</summary>
    public const int WarmHosts = 100;

    /// <summary>Names S6's cold run uses (c1.example.test, c2 …); the interception gateway lists them in <c>resolve.hosts</c>.</summary>
    public const int ColdHosts = 100_000;

    /// <summary>Prefix of the cold names.</summary>
    public const string ColdPrefix = "c";

    public static async Task<Peer> StartAsync(SuiteContext context, GatewaySetup setup)
    {
        string state = Path.Combine(context.Work, setup.Name);
        Directory.CreateDirectory(state);
        int forward = Ports.Free();
        int metrics = Ports.Free();
        int sni = setup.TransparentTls ? Ports.Free() : 0;
        PolicyFile.Write(Path.Combine(state, "policy.json"), setup.ExtraRules);
        string config = context.WriteFile(setup.Name + "/gateway.yaml", Config(context, setup, state, forward, metrics, sni));
        ManagedProcess process = context.StartProxy(
            setup.Name,
            new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", [InterceptKit.Variable] = InterceptKit.Token },
            "dotnet",
            context.GatewayDll, "run", "--config", config, "--state-dir", state);
        var peer = new Peer(setup.Name, process) { Connect = forward, Sni = sni };
        await peer.ReadyAsync(forward).ConfigureAwait(false);
        return sni == 0 ? peer : await peer.ReadyAsync(sni).ConfigureAwait(false);
    }

    private static string Config(SuiteContext context, GatewaySetup setup, string state, int forward, int metrics, int sni)
    {
        var yaml = new StringBuilder();
        yaml.Append(CultureInfo.InvariantCulture, $"""
            stateDir: {state}
            listen:
              forward: 127.0.0.1:{forward}
              metrics: 127.0.0.1:{metrics}
              admin: unix:{state}/admin.sock

            """);
        if (sni != 0)
        {
            // No nftables redirect here, so SO_ORIGINAL_DST is the listener itself: dial the origin's port.
            yaml.Append(CultureInfo.InvariantCulture, $"""
                  transparentTls: 127.0.0.1:{sni}
                transparent:
                  dialTlsPort: {context.OriginTls}

                """);
        }

        yaml.Append("resolve:\n  hosts:\n    origin.example.test: 127.0.0.1\n");
        for (int i = 0; i < WarmHosts; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"    h{i}.example.test: 127.0.0.1\n");
        }

        for (int i = 1; setup.InterceptKit is not null && i <= ColdHosts; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"    {ColdPrefix}{i}.example.test: 127.0.0.1\n");
        }

        yaml.Append(CultureInfo.InvariantCulture, $"""
            egress:
              allowCidrs: [127.0.0.0/8]
            trust:
              extraRootCAs: [{context.OriginCaPath}]
            limits:
              maxConnections: 50000
              idleTimeout: 10m
            audit:
              file: {state}/audit.jsonl

            """);
        if (setup.Socks5Port != 0)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"upstream:\n  socks5: socks5://127.0.0.1:{setup.Socks5Port}\n");
        }

        if (setup.InterceptKit is not null)
        {
            // Every source address the driver connects from (TunnelDialer spreads them over 127.0.1.x).
            yaml.Append(CultureInfo.InvariantCulture, $"kits: [{setup.InterceptKit}]\nsandboxes:\n  - name: perf\n    kits: [perf-intercept]\n    addresses: [127.0.0.1");
            for (int i = 2; i <= 251; i++)
            {
                yaml.Append(CultureInfo.InvariantCulture, $", 127.0.1.{i}");
            }

            yaml.Append("]\n");
        }

        return yaml.ToString();
    }
}
