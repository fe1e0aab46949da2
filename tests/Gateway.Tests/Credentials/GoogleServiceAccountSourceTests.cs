using System.Security.Cryptography;
using System.Text.Json;
using Gateway.Credentials;
using Gateway.Tests.Interception;
using Microsoft.AspNetCore.Http;
using PolicyCompiler.Kits;

namespace Gateway.Tests.Credentials;

/// <summary>
/// Issue 18 item 1, <c>googleServiceAccount</c>: a service-account JSON whose token_uri is a local
/// HTTPS endpoint that verifies the JWT bearer assertion with the account's public key (issuer,
/// audience, scope, lifetime) before it mints, as Google's endpoint does.
/// </summary>
public sealed class GoogleServiceAccountSourceTests : IAsyncLifetime
{
    private readonly InterceptTestCa _ca = new();
    private readonly RSA _accountKey = RSA.Create(2048);
    private readonly RSA _otherKey = RSA.Create(2048);
    private BrokerFixture _fixture = null!;
    private TokenEndpoint _endpoint = null!;
    private string _jsonPath = null!;

    public async Task InitializeAsync()
    {
        _fixture = new BrokerFixture(_ca);
        _endpoint = await TokenEndpoint.StartAsync(_ca, "/token", AnswerAsync);
        _jsonPath = Path.Combine(_fixture.Directory, "vertex.json");
        await WriteAccountAsync(_accountKey);
    }

    public async Task DisposeAsync()
    {
        await _endpoint.DisposeAsync();
        _fixture.Dispose();
        _ca.Dispose();
        _accountKey.Dispose();
        _otherKey.Dispose();
    }

    [Fact]
    public async Task ServiceAccount_IsExchangedAtItsTokenUri_WithAVerifiedAssertion()
    {
        CredentialResult result = await GetAsync(Source());

        Assert.Equal("ya29.local-1", result.Value?.Token);
        Assert.Equal(1, _endpoint.Hits);
        Assert.Equal(1, await _fixture.FetchesAsync("googleServiceAccount", "ok"));
        Assert.DoesNotContain("PRIVATE KEY", _fixture.Logs.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenIsCached_UntilShortlyBeforeItExpires()
    {
        KitCredentialSource source = Source();
        await GetAsync(source);
        _fixture.Clock.Advance(TimeSpan.FromMinutes(58));
        await GetAsync(source);
        Assert.Equal(1, _endpoint.Hits);

        _fixture.Clock.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal("ya29.local-2", (await GetAsync(source)).Value?.Token);
    }

    [Fact]
    public async Task AssertionSignedByAnotherKey_IsRefusedByTheEndpoint_AndIsAFailure()
    {
        await WriteAccountAsync(_otherKey);

        CredentialResult result = await GetAsync(Source());

        Assert.Null(result.Value);
        Assert.Equal($"the token endpoint {_endpoint.Url} answered 400 Bad Request", result.Failure);
    }

    [Fact]
    public async Task JsonWithoutAKey_IsAFailureSayingWhatIsMissing()
    {
        await File.WriteAllTextAsync(_jsonPath, """{"type": "service_account", "client_email": "a@b"}""");

        CredentialResult result = await GetAsync(Source());

        Assert.Equal("its service-account JSON lacks client_email, private_key or token_uri; download a new key for the account", result.Failure);
        Assert.Equal(0, _endpoint.Hits);
    }

    private KitCredentialSource Source() => new("vertex", [], null, KitCredentialPriority.EnvFirst)
    {
        GoogleServiceAccount = new KitGoogleServiceAccount(
            new KitCredentialSource("vertex.googleServiceAccount", [], new KitCredentialFile(_jsonPath, null), KitCredentialPriority.EnvFirst),
            [KitGoogleServiceAccount.DefaultScope]),
    };

    private Task WriteAccountAsync(RSA key) => File.WriteAllTextAsync(_jsonPath, JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["type"] = "service_account",
        ["project_id"] = "agents",
        ["private_key_id"] = "key-1",
        ["private_key"] = key.ExportPkcs8PrivateKeyPem(),
        ["client_email"] = "agent@agents.iam.example.test",
        ["token_uri"] = _endpoint.Url,
    }));

    private async Task<CredentialResult> GetAsync(KitCredentialSource source) =>
        await _fixture.Broker.GetAsync(source, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

    // Google's token endpoint: the JWT bearer grant, the assertion verified with the account's public key.
    private Task<IResult> AnswerAsync(HttpContext context, IFormCollection form)
    {
        if (form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer"
            || JwtVerifier.Verify(form["assertion"].ToString(), _accountKey) is not { } jwt)
        {
            return Task.FromResult(Results.Json(new { error = "invalid_grant" }, statusCode: 400));
        }

        JsonElement claims = jwt.Claims;
        long now = _fixture.Clock.GetUtcNow().ToUnixTimeSeconds();
        bool valid = claims.GetProperty("iss").GetString() == "agent@agents.iam.example.test"
            && claims.GetProperty("aud").GetString() == _endpoint.Url
            && claims.GetProperty("scope").GetString() == KitGoogleServiceAccount.DefaultScope
            && claims.GetProperty("iat").GetInt64() == now
            && claims.GetProperty("exp").GetInt64() == now + 3600
            && jwt.Header.GetProperty("kid").GetString() == "key-1";
        return Task.FromResult(valid
            ? Results.Json(new { access_token = "ya29.local-" + _endpoint.Hits, expires_in = 3599, token_type = "Bearer" })
            : Results.Json(new { error = "invalid_grant", error_description = "bad claims" }, statusCode: 400));
    }
}
