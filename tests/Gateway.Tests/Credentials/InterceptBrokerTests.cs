using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Interception.Forwarding;
using Gateway.Tests.Interception;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Credentials;

/// <summary>
/// Issue 18 items 1-4 end to end: curl through the forward proxy to bound hosts, each presenting its
/// credential in its own scheme (bearer from a minted OAuth2 token, basic, query, a command's
/// output), as the upstream receives it; a failing source is a 502 naming it and what failed; a
/// placeholder in the query is substituted for a bound host and refused for any other; the upstream
/// sees no forwarding headers.
/// </summary>
public sealed class InterceptBrokerTests : IAsyncLifetime
{
    private const string ClientSecret = "client-s3cr3t-e2e-51aa";
    private const string CodeToken = "ghp_e2eCodeHostToken0001";
    private const string MapsKey = "maps key/+=e2e";
    private const string CliToken = "cli-token-e2e-3b7d";
    private readonly InterceptTestCa _ca = new();
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    private TokenEndpoint _endpoint = null!;
    private BrokeredGateway _env = null!;
    private string _counter = null!;
    private string _scripts = null!;

    private string MapsVariable => "GW_MAPS_KEY_" + _suffix;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("GW_CLIENT_ID_" + _suffix, "gateway-client");
        Environment.SetEnvironmentVariable("GW_CLIENT_SECRET_" + _suffix, ClientSecret);
        Environment.SetEnvironmentVariable("GW_CODE_TOKEN_" + _suffix, CodeToken);
        Environment.SetEnvironmentVariable(MapsVariable, MapsKey);
        _scripts = Directory.CreateTempSubdirectory("gw-broker-cli-").FullName;
        _counter = Path.Combine(_scripts, "runs");
        string script = Path.Combine(_scripts, "secret-cli");
        await File.WriteAllTextAsync(script, $"#!/bin/sh\necho run >> {_counter}\necho {CliToken}\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _endpoint = await TokenEndpoint.StartAsync(_ca, "/oauth/token", (context, form) =>
        {
            string expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("gateway-client:" + ClientSecret));
            return Task.FromResult(context.Request.Headers.Authorization == expected && form["grant_type"] == "client_credentials"
                ? Results.Json(new { access_token = "minted-e2e-1", expires_in = 3600 })
                : Results.Json(new { error = "invalid_client" }, statusCode: 401));
        });
        _env = await BrokeredGateway.StartAsync(_ca, $$"""
            network:
              allowedDomains: [api.example.test, basic.example.test, query.example.test, command.example.test, down.example.test, other.example.test]
              serviceDomains:
                api.example.test: internal
                basic.example.test: code-host
                query.example.test: maps
                command.example.test: cli
                down.example.test: down
              serviceAuth:
                internal: { scheme: bearer }
                code-host: { scheme: basic, username: x-access-token }
                maps: { scheme: query, parameter: key }
                cli: { scheme: bearer }
                down: { scheme: bearer }
              rules:
                - { host: other.example.test, decision: allow }
            credentials:
              sources:
                internal:
                  oauth2:
                    tokenUrl: {{_endpoint.Url}}
                    grant: client_credentials
                    clientId: { env: [GW_CLIENT_ID_{{_suffix}}] }
                    clientSecret: { env: [GW_CLIENT_SECRET_{{_suffix}}] }
                code-host: { env: [GW_CODE_TOKEN_{{_suffix}}] }
                maps: { env: [{{MapsVariable}}] }
                cli: { command: [{{script}}], ttl: 5m, timeout: 10s }
                down:
                  oauth2:
                    tokenUrl: https://127.0.0.1:{{ClosedPort()}}/oauth/token
                    grant: client_credentials
                    clientId: { env: [GW_CLIENT_ID_{{_suffix}}] }
                    clientSecret: { env: [GW_CLIENT_SECRET_{{_suffix}}] }
            environment:
              proxyManaged: [{{MapsVariable}}]
            """);
    }

    public async Task DisposeAsync()
    {
        await _env.DisposeAsync();
        await _endpoint.DisposeAsync();
        _ca.Dispose();
        Directory.Delete(_scripts, recursive: true);
        foreach (string name in (string[])["GW_CLIENT_ID_", "GW_CLIENT_SECRET_", "GW_CODE_TOKEN_", "GW_MAPS_KEY_"])
        {
            Environment.SetEnvironmentVariable(name + _suffix, null);
        }
    }

    [Fact]
    public async Task OAuth2Source_IsMintedOnce_AndSentAsBearer()
    {
        await CurlOkAsync("api.example.test", "/v1/first");
        await CurlOkAsync("api.example.test", "/v1/second", "--http2");

        Assert.Equal("Bearer minted-e2e-1", Assert.Single(_env.Upstream.For("/v1/first")).Headers["Authorization"]);
        Assert.Equal("Bearer minted-e2e-1", Assert.Single(_env.Upstream.For("/v1/second")).Headers["Authorization"]);
        Assert.Equal(1, _endpoint.Hits);
        AssertNoSecretInLogs();
    }

    [Fact]
    public async Task BasicScheme_SendsTheUsernameAndToken_AsGitWantsThem()
    {
        await CurlOkAsync("basic.example.test", "/repo.git/info/refs", "-H", "Authorization: Basic c2FuZGJveDpwbGFjZWhvbGRlcg==");

        string expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("x-access-token:" + CodeToken));
        Assert.Equal(expected, Assert.Single(_env.Upstream.For("/repo.git/info/refs")).Headers["Authorization"]);
    }

    [Fact]
    public async Task QueryScheme_ReplacesEveryKeyTheSandboxSent_WithTheEscapedSecret()
    {
        await CurlOkAsync("query.example.test", "/maps/api?q=berlin&key=sandbox-guess&k%65y=other");

        string escaped = Uri.EscapeDataString(MapsKey);
        Assert.Single(_env.Upstream.For("/maps/api?q=berlin&key=" + escaped));
    }

    [Fact]
    public async Task PlaceholderInTheQuery_IsSubstitutedForABoundHost()
    {
        string placeholder = _env.Gateway.Services.GetRequiredService<Placeholders>().For("dev", MapsVariable);

        await CurlOkAsync("query.example.test", "/maps/echo?token=" + placeholder);

        string escaped = Uri.EscapeDataString(MapsKey);
        Assert.Single(_env.Upstream.For($"/maps/echo?token={escaped}&key={escaped}"));
    }

    [Fact]
    public async Task PlaceholderInTheQuery_TowardAnotherInterceptedHost_IsRefusedAsALeak()
    {
        string placeholder = _env.Gateway.Services.GetRequiredService<Placeholders>().For("dev", MapsVariable);

        var (exit, stdout, stderr) = await _env.CurlAsync("other.example.test", "/collect?t=" + placeholder, "-i");

        Assert.True(exit == 0, stderr);
        Assert.StartsWith("HTTP/2 403", stdout, StringComparison.Ordinal);
        Assert.Contains($"the placeholder of {MapsVariable} may only be sent to the hosts its credential is bound to", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(_env.Upstream.Seen, s => s.Path.StartsWith("/collect", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CommandSource_RunsOnceForManyRequests()
    {
        for (int i = 0; i < 3; i++)
        {
            await CurlOkAsync("command.example.test", "/cli/" + i);
        }

        Assert.All(Enumerable.Range(0, 3), i => Assert.Equal("Bearer " + CliToken, Assert.Single(_env.Upstream.For("/cli/" + i)).Headers["Authorization"]));
        Assert.Single(File.ReadAllLines(_counter));
    }

    [Fact]
    public async Task TokenEndpointDown_Is502NamingTheSourceAndWhatFailed_AndNothingIsSent()
    {
        var (exit, stdout, stderr) = await _env.CurlAsync("down.example.test", "/v1/unsent", "-i", "--http1.1");

        Assert.True(exit == 0, stderr);
        Assert.StartsWith("HTTP/1.1 502", stdout, StringComparison.Ordinal);
        Assert.Contains("could not get credential \"down\": the token endpoint https://127.0.0.1:", stdout, StringComparison.Ordinal);
        Assert.Contains("/oauth/token could not be reached", stdout, StringComparison.Ordinal);
        Assert.Contains("the request to down.example.test was not sent", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(ClientSecret, stdout, StringComparison.Ordinal);
        Assert.Empty(_env.Upstream.For("/v1/unsent"));
    }

    [Fact]
    public async Task InterceptedRequest_ReachesTheUpstream_WithoutForwardingHeaders()
    {
        await CurlOkAsync("api.example.test", "/v1/headers", "--http1.1");

        Dictionary<string, string> headers = Assert.Single(_env.Upstream.For("/v1/headers")).Headers;
        Assert.DoesNotContain(headers.Keys, k => k.StartsWith("X-Forwarded-", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(headers.Keys, k => k is "Via" or "Forwarded" || k.Equals("via", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task PolicyLog_ShowsWhichSourceWasInjected_InTheTableAndInJson()
    {
        await CurlOkAsync("basic.example.test", "/logged");

        string json = "";
        for (int i = 0; i < 300 && !json.Contains("\"injected\"", StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
            (int exit, string output) = _env.Gateway.Cli("policy", "log", "--json");
            Assert.True(exit == 0, output);
            json = output;
        }

        using var rows = System.Text.Json.JsonDocument.Parse(json);
        System.Text.Json.JsonElement row = rows.RootElement.EnumerateArray().Single(r => r.GetProperty("host").GetString() == "basic.example.test");
        Assert.Equal("code-host", row.GetProperty("injected").GetString());
        (_, string table) = _env.Gateway.Cli("policy", "log");
        string line = table.Split('\n').Single(l => l.Contains("basic.example.test", StringComparison.Ordinal));
        Assert.Contains("INJECTED", table, StringComparison.Ordinal);
        Assert.EndsWith("code-host", line.TrimEnd(), StringComparison.Ordinal);
        Assert.DoesNotContain(CodeToken, table + json, StringComparison.Ordinal);
    }

    private async Task CurlOkAsync(string host, string pathAndQuery, params string[] extra)
    {
        var (exit, stdout, stderr) = await _env.CurlAsync(host, pathAndQuery, extra);
        Assert.True(exit == 0, stderr);
        Assert.StartsWith("ok GET ", stdout, StringComparison.Ordinal);
    }

    private void AssertNoSecretInLogs()
    {
        string logs = _env.Logs.ToString();
        foreach (string secret in (string[])[ClientSecret, CodeToken, MapsKey, CliToken, "minted-e2e-1"])
        {
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
        }
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
