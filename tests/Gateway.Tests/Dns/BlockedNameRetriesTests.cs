using System.Net;
using System.Text.Json;
using Gateway.Configuration;
using Gateway.Tests.Listeners;
using Xunit.Abstractions;

namespace Gateway.Tests.Dns;

/// <summary>
/// Issue 20 point 4: one blocked name gave 32 audit rows, because REFUSED reads as a temporary
/// failure that resolvers retry. Here one real curl, under bubblewrap with a resolv.conf that points
/// at the gateway's resolver (the system's own glibc resolver, as in a sandbox), asks for a blocked
/// name once per answer mode, and the DNS audit rows are counted: NXDOMAIN (the default) is final.
/// </summary>
public sealed class BlockedNameRetriesTests(ITestOutputHelper log)
{
    [BubblewrapFact]
    public async Task OneCurlOfABlockedName_WritesFewerAuditRowsWithNxDomainThanWithRefused()
    {
        int nxdomain = await CountDnsRowsAsync(DnsBlockedAnswer.NxDomain);
        int refused = await CountDnsRowsAsync(DnsBlockedAnswer.Refused);
        log.WriteLine($"audit rows for one curl of a blocked name: nxdomain {nxdomain}, refused {refused}");

        Assert.InRange(nxdomain, 1, 2); // one A and one AAAA query, no retry
        Assert.True(nxdomain < refused, $"nxdomain {nxdomain} rows, refused {refused}");
    }

    private async Task<int> CountDnsRowsAsync(DnsBlockedAnswer mode)
    {
        // Port 53 on an address of 127/8 no other test uses: resolv.conf cannot name a port.
        var address = new IPAddress([127, 53, (byte)Random.Shared.Next(1, 255), (byte)Random.Shared.Next(1, 255)]);
        string directory = Directory.CreateTempSubdirectory("gw-dns-retries-").FullName;
        try
        {
            string resolv = Path.Combine(directory, "resolv.conf");
            await File.WriteAllTextAsync(resolv, $"nameserver {address}\n");
            await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync(
                [["policy", "set-default", "deny-all"]],
                config => config with
                {
                    Listen = config.Listen with { Dns = new IPEndPoint(address, 53) },
                    Dns = new DnsConfig(null, mode),
                });
            (int exit, string stdout, string stderr) = await ProcessRunner.RunAsync(
                "bwrap",
                ["--dev-bind", "/", "/", "--ro-bind", resolv, "/etc/resolv.conf", "curl", "-sS", "--max-time", "60", "--noproxy", "*", "http://blocked.example.test/"],
                _ => { });
            log.WriteLine($"{mode}: curl exit {exit}: {stdout}{stderr}");
            Assert.Equal(6, exit); // could not resolve host
            await gateway.StopAsync();
            int rows = 0;
            foreach (string line in await File.ReadAllLinesAsync(Path.Combine(gateway.StateDir, "audit.jsonl")))
            {
                JsonElement e = JsonDocument.Parse(line).RootElement;
                if (e.GetProperty("proxy").GetString() == "dns" && e.GetProperty("host").GetString() == "blocked.example.test")
                {
                    rows++;
                }
            }

            return rows;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
