using System.Net;
using System.Text;

namespace Gateway.Tests.Listeners;

/// <summary>Sandboxes registered over the admin API: identified by source address, their kits apply to them only, tokens checked.</summary>
public sealed class SandboxRegistryEndToEndTests : IAsyncLifetime
{
    private const string Kit = """
        schemaVersion: "1"
        kind: mixin
        name: dev-kit
        network:
          allowedDomains:
            - api.example.test
        """;

    private static readonly IPAddress s_devAddress = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress s_otherAddress = IPAddress.Parse("127.0.0.3");

    private TestUpstream _upstream = null!;
    private GatewayUnderTest _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = await TestUpstream.StartAsync();
        string kitDir = Directory.CreateTempSubdirectory("gw-kit-").FullName;
        string kit = Path.Combine(kitDir, "spec.yaml");
        await File.WriteAllTextAsync(kit, Kit);
        _gateway = await GatewayUnderTest.StartAsync([["policy", "set-default", "deny-all"]], config => config with { Kits = [kit] });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task RegisteredSandbox_GetsItsKitRules_AndAnotherSandboxDoesNot()
    {
        using HttpResponseMessage dev = await AdminHttp.RegisterAsync(_gateway.StateDir, new { name = "dev", addresses = new[] { "127.0.0.2" }, kits = new[] { "dev-kit" } });
        using HttpResponseMessage other = await AdminHttp.RegisterAsync(_gateway.StateDir, new { name = "other", addresses = new[] { "127.0.0.3" } });

        int asDev = await ConnectStatusAsync(s_devAddress, null);
        int asOther = await ConnectStatusAsync(s_otherAddress, null);
        int asHost = await ConnectStatusAsync(IPAddress.Loopback, null);

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (dev.StatusCode, other.StatusCode));
        Assert.Equal((200, 403, 403), (asDev, asOther, asHost));
        (int exit, string listed) = _gateway.Cli("sandbox", "ls");
        Assert.Equal(0, exit);
        Assert.Contains(
            listed.Split('\n'),
            line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["dev", "127.0.0.2", "dev-kit", "registered", "no"]);
    }

    [Fact]
    public async Task SandboxWithAToken_Gets407WithoutIt_AndPassesWithIt()
    {
        const string Token = "0123456789abcdef-token";
        using HttpResponseMessage registered = await AdminHttp.RegisterAsync(_gateway.StateDir, new { name = "dev", addresses = new[] { "127.0.0.2" }, kits = new[] { "dev-kit" }, token = Token });
        string good = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("dev:" + Token));
        string wrong = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("dev:not-the-token-at-all"));

        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        Assert.Equal(407, await ConnectStatusAsync(s_devAddress, null));
        Assert.Equal(407, await ConnectStatusAsync(s_devAddress, wrong));
        Assert.Equal(200, await ConnectStatusAsync(s_devAddress, good));
    }

    [Fact]
    public async Task Registration_WithAnUnknownKitOrATakenAddress_IsRefusedWithTheReasons()
    {
        using HttpResponseMessage first = await AdminHttp.RegisterAsync(_gateway.StateDir, new { name = "dev", addresses = new[] { "127.0.0.2" } });
        using HttpResponseMessage clash = await AdminHttp.RegisterAsync(_gateway.StateDir, new { name = "dup", addresses = new[] { "127.0.0.2" }, kits = new[] { "nope" } });
        using var body = System.Text.Json.JsonDocument.Parse(await clash.Content.ReadAsStringAsync());
        string[] errors = [.. body.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!)];

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.BadRequest), (first.StatusCode, clash.StatusCode));
        Assert.Equal(["address 127.0.0.2 already belongs to sandbox \"dev\""], errors.Where(e => e.StartsWith("address", StringComparison.Ordinal)));
        Assert.Contains("kit \"nope\" is not loaded; known kits: dev-kit", errors);
    }

    [Fact]
    public async Task Unregistering_MakesTheAddressUnknownAgain()
    {
        using HttpResponseMessage registered = await AdminHttp.RegisterAsync(_gateway.StateDir, new { name = "dev", addresses = new[] { "127.0.0.2" }, kits = new[] { "dev-kit" } });
        using HttpClient admin = AdminHttp.Create(_gateway.StateDir);
        using HttpResponseMessage deleted = await admin.DeleteAsync("/sandboxes/dev");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(403, await ConnectStatusAsync(s_devAddress, null)); // loopback again: the host, no kit
    }

    private async Task<int> ConnectStatusAsync(IPAddress source, string? authorization)
    {
        using RawClient client = await RawClient.ConnectAsync(_gateway.Port, source);
        string auth = authorization is null ? string.Empty : $"Proxy-Authorization: {authorization}\r\n";
        await client.SendAsync($"CONNECT api.example.test:{_upstream.HttpPort} HTTP/1.1\r\n{auth}\r\n");
        (int status, _, _) = await client.ReadResponseAsync();
        return status;
    }
}
