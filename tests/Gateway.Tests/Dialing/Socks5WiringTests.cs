using System.Collections.Frozen;
using System.Net;
using System.Text;
using System.Text.Json;
using Gateway.Audit;
using Gateway.Configuration;
using Gateway.Dialing;
using Gateway.Hosting;
using Gateway.Policy;
using Gateway.Tests.Audit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyCompiler.Compilation;

namespace Gateway.Tests.Dialing;

/// <summary>How SOCKS5 reaches the rest of the daemon: errors, the audit line, the configured Dialer, kits naming credentials.</summary>
public sealed class Socks5WiringTests
{
    [Theory]
    [InlineData(EgressError.Socks5Unreachable, 502)]
    [InlineData(EgressError.Socks5NoAcceptableMethod, 502)]
    [InlineData(EgressError.Socks5AuthenticationFailed, 502)]
    [InlineData(EgressError.Socks5CredentialUnavailable, 502)]
    [InlineData(EgressError.Socks5ProtocolError, 502)]
    [InlineData(EgressError.Socks5GeneralFailure, 502)]
    [InlineData(EgressError.Socks5NotAllowed, 502)]
    [InlineData(EgressError.Socks5NetworkUnreachable, 502)]
    [InlineData(EgressError.Socks5HostUnreachable, 502)]
    [InlineData(EgressError.Socks5ConnectionRefused, 502)]
    [InlineData(EgressError.Socks5TtlExpired, 504)]
    [InlineData(EgressError.Socks5CommandNotSupported, 502)]
    [InlineData(EgressError.Socks5AddressTypeNotSupported, 502)]
    public void Socks5Error_HasItsStatus_AndAReasonNamingTheProxyWithoutUserinfo(object error, int status)
    {
        var e = (EgressError)error;
        string reason = EgressErrors.Reason(e, new DnsEndPoint("fd00::2", 1080));

        Assert.Equal(status, EgressErrors.StatusCode(e));
        Assert.StartsWith("SOCKS5 proxy socks5://[fd00::2]:1080: ", reason, StringComparison.Ordinal);
        Assert.DoesNotContain('@', reason);
    }

    [Fact]
    public void AuditLine_ThroughSocks5_SaysSo_AndReadsBack()
    {
        AuditEvent e = AuditTestEvents.Event() with { Upstream = AuditEvent.Socks5Upstream };

        string line = AuditEventJson.ToLine(e);

        Assert.Equal("socks5", JsonDocument.Parse(line).RootElement.GetProperty("upstream").GetString());
        Assert.True(AuditEventJson.TryRead(Encoding.UTF8.GetBytes(line), out AuditEvent read));
        Assert.Equal(e, read);
    }

    [Fact]
    public void AuditLine_Direct_HasNoUpstreamField()
    {
        string line = AuditEventJson.ToLine(AuditTestEvents.Event());

        Assert.False(JsonDocument.Parse(line).RootElement.TryGetProperty("upstream", out _));
    }

    [Fact]
    public async Task DaemonDialer_TakesUpstreamSocks5FromTheConfiguration()
    {
        string stateDir = Directory.CreateTempSubdirectory("gw-socks-host-").FullName;
        GatewayConfig defaults = GatewayConfig.CreateDefault(stateDir);
        GatewayConfig config = defaults with
        {
            Listen = defaults.Listen with { Forward = new IPEndPoint(IPAddress.Loopback, 0), Metrics = null },
            Upstream = new UpstreamConfig(new DnsEndPoint("proxy.example.test", 1080), null),
        };
        var errors = new List<string>();
        WebApplication? app = GatewayHost.Build(config, errors, logging: _ => { });
        Assert.True(app is not null, string.Join("\n", errors));
        await using (app)
        {
            Dialer dialer = app.Services.GetRequiredService<Dialer>();
            Assert.True(dialer.RoutesThroughSocks5("api.example.test", DialPermissions.None, kitProxy: null));
            Assert.False(dialer.RoutesThroughSocks5(Dialer.Localhost, new DialPermissions(null, localhostRule: true), kitProxy: null));
        }

        Directory.Delete(stateDir, recursive: true);
    }

    [Theory]
    [InlineData("corp-proxy", true)]
    [InlineData("single-secret", false)]
    [InlineData("nowhere", false)]
    public async Task KitProxyCredentialRef_MustNameAUsernamePasswordSource(string credentialRef, bool loads)
    {
        string dir = Directory.CreateTempSubdirectory("gw-socks-kitref-").FullName;
        string kit = Path.Combine(dir, "spec.yaml");
        await File.WriteAllTextAsync(kit, $"""
            schemaVersion: "1"
            kind: mixin
            name: proxied
            network:
              proxy:
                type: socks5
                address: "proxy.example.test:1080"
                credentialRef: {credentialRef}
            """);
        GatewayConfig config = GatewayConfig.CreateDefault(Path.Combine(dir, "state")) with
        {
            Kits = [kit],
            Credentials = new CredentialsConfig(new Dictionary<string, CredentialSourceConfig>
            {
                ["corp-proxy"] = new("corp-proxy", null, new CredentialValueConfig([], null, "u"), new CredentialValueConfig(["P"], null, null)),
                ["single-secret"] = new("single-secret", new CredentialValueConfig(["S"], null, null), null, null),
            }.ToFrozenDictionary(StringComparer.Ordinal)),
        };
        var errors = new List<string>();

        using LivePolicy? policy = LivePolicy.Create(config, NullLogger<LivePolicy>.Instance, errors);

        Assert.Equal(loads, policy is not null);
        if (policy is not null)
        {
            PolicySnapshot snapshot = policy.Current;
            Assert.Equal(credentialRef, snapshot.ProxyFor(["other", "proxied"])?.CredentialRef);
        }
        else
        {
            Assert.Contains(errors, e => e.Contains("network.proxy.credentialRef", StringComparison.Ordinal) && e.Contains($"\"{credentialRef}\"", StringComparison.Ordinal));
        }

        Directory.Delete(dir, recursive: true);
    }
}
