using System.Net;
using System.Text;
using Gateway.Policy;
using Gateway.Sandboxes;
using Gateway.Tests.Listeners;
using Microsoft.Extensions.DependencyInjection;

namespace Security.Tests.Attacks;

/// <summary>
/// Issue 16 item 7: <c>sandboxes.json</c> holds no token a reader could replay, only the SHA-256
/// of the Proxy-Authorization value each token makes, and it is owner-only (0600) from the
/// instant it exists (its temporary file included: see AtomicFileTests); the digest still lets
/// exactly the right token through, after a restart too, and a registry an older gateway
/// wrote in the clear is rewritten at start.
/// </summary>
public sealed class TokenFileAttackTests : IAsyncLifetime
{
    private const string Token = "tok-3f9a1c2e7b5d4a60";
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private TestUpstream _upstream = null!;
    private GatewayUnderTest _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = await TestUpstream.StartAsync();
        _gateway = await GatewayUnderTest.StartAsync([["policy", "set-default", "deny-all"], ["policy", "allow", "network", "api.example.test"]]);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task RegisteredToken_IsStoredAsADigestInAnOwnerOnlyFile_AndStillAuthorizes()
    {
        SandboxRegistry registry = _gateway.Services.GetRequiredService<SandboxRegistry>();
        List<string> errors = registry.Register(new SandboxRegistration("dev", ["127.0.0.2"], null, Token), _gateway.Services.GetRequiredService<LivePolicy>().Current);
        string file = Path.Combine(_gateway.StateDir, "sandboxes.json");

        Assert.Empty(errors);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(file));
        string stored = await File.ReadAllTextAsync(file);
        Assert.DoesNotContain(Token, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("dev:" + Token)), stored, StringComparison.Ordinal);
        Assert.Contains(Sandbox.DigestOf("dev", Token)!, stored, StringComparison.Ordinal);
        Assert.Equal((407, 407, 200), (await ConnectAsync(null), await ConnectAsync("wrong-token-0000000000"), await ConnectAsync(Token)));

        // What a restarted gateway reads back decides the same way.
        Sandbox reloaded = Assert.Single(new SandboxRegistry([], _gateway.StateDir).All, s => s.Name == "dev");
        Assert.True(reloaded.Authorizes(Authorization("dev", Token)));
        Assert.False(reloaded.Authorizes(Authorization("dev", Token + "x")));
        Assert.False(reloaded.Authorizes(Authorization("other", Token)));
    }

    [Fact]
    public async Task RegistryWrittenInTheClear_IsRewrittenWithDigestsAtStart()
    {
        string directory = Directory.CreateTempSubdirectory("gw-token-file-").FullName;
        try
        {
            string file = Path.Combine(directory, "sandboxes.json");
            await File.WriteAllTextAsync(file, $$"""[{"name": "dev", "addresses": ["127.0.0.2"], "kits": [], "token": "{{Token}}"}]""");
            File.SetUnixFileMode(file, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

            var registry = new SandboxRegistry([], directory);

            Assert.Equal(OwnerOnly, File.GetUnixFileMode(file));
            Assert.DoesNotContain(Token, await File.ReadAllTextAsync(file), StringComparison.Ordinal);
            Assert.True(Assert.Single(registry.All).Authorizes(Authorization("dev", Token)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static byte[] Authorization(string name, string token) =>
        Encoding.ASCII.GetBytes("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(name + ":" + token)));

    private async Task<int> ConnectAsync(string? token)
    {
        using RawClient client = await RawClient.ConnectAsync(_gateway.Port, IPAddress.Parse("127.0.0.2"));
        string auth = token is null ? string.Empty : "Proxy-Authorization: " + Encoding.ASCII.GetString(Authorization("dev", token)) + "\r\n";
        await client.SendAsync($"CONNECT api.example.test:{_upstream.HttpPort} HTTP/1.1\r\nHost: api.example.test:{_upstream.HttpPort}\r\n{auth}\r\n");
        (int status, _, _) = await client.ReadResponseAsync();
        return status;
    }
}
