using System.Globalization;
using System.Security.Cryptography;
using Gateway.Credentials;
using Gateway.Tests.Interception;
using Microsoft.AspNetCore.Http;
using PolicyCompiler.Kits;

namespace Gateway.Tests.Credentials;

/// <summary>
/// Issue 18 item 1, <c>githubApp</c>: a GitHub-style API on loopback that verifies the app JWT
/// (RS256 with the app's public key, issuer the app id, at most ten minutes) on
/// <c>POST /app/installations/{id}/access_tokens</c> and answers an installation token with its expiry.
/// </summary>
public sealed class GithubAppSourceTests : IAsyncLifetime
{
    private const long AppId = 1234;
    private const long InstallationId = 5678;
    private readonly InterceptTestCa _ca = new();
    private readonly RSA _appKey = RSA.Create(2048);
    private BrokerFixture _fixture = null!;
    private TokenEndpoint _api = null!;
    private string _keyPath = null!;

    public async Task InitializeAsync()
    {
        _fixture = new BrokerFixture(_ca);
        _api = await TokenEndpoint.StartAsync(_ca, $"/api/v3/app/installations/{InstallationId}/access_tokens", AnswerAsync);
        _keyPath = Path.Combine(_fixture.Directory, "app.pem");
        await File.WriteAllTextAsync(_keyPath, _appKey.ExportRSAPrivateKeyPem());
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        _fixture.Dispose();
        _ca.Dispose();
        _appKey.Dispose();
    }

    [Fact]
    public async Task InstallationToken_IsMintedFromAVerifiedAppJwt_AndCachedUntilItsExpiry()
    {
        KitCredentialSource source = Source(InstallationId);

        Assert.Equal("ghs_local1", (await GetAsync(source)).Value?.Token);
        _fixture.Clock.Advance(TimeSpan.FromMinutes(50));
        Assert.Equal("ghs_local1", (await GetAsync(source)).Value?.Token);
        Assert.Equal(1, _api.Hits);

        _fixture.Clock.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal("ghs_local2", (await GetAsync(source)).Value?.Token);
        Assert.Equal(2, await _fixture.FetchesAsync("githubApp", "ok"));
    }

    [Fact]
    public async Task AnotherInstallation_IsNotFound_AndTheFailureSaysSo()
    {
        CredentialResult result = await GetAsync(Source(9999));

        Assert.Null(result.Value);
        Assert.Equal($"the token endpoint https://127.0.0.1:{_api.Port}/api/v3/app/installations/9999/access_tokens answered 404 Not Found", result.Failure);
    }

    [Fact]
    public async Task KeyThatIsNotPem_IsAFailureSayingWhatTheKeyShouldBe()
    {
        await File.WriteAllTextAsync(_keyPath, "not a key");

        CredentialResult result = await GetAsync(Source(InstallationId));

        Assert.Equal("its privateKey is not an RSA private key in PEM form (the .pem GitHub lets you download)", result.Failure);
    }

    private KitCredentialSource Source(long installation) => new("gh-app", [], null, KitCredentialPriority.EnvFirst)
    {
        GithubApp = new KitGithubApp(
            AppId, installation, new KitCredentialSource("gh-app.privateKey", [], new KitCredentialFile(_keyPath, null), KitCredentialPriority.EnvFirst), new Uri($"https://127.0.0.1:{_api.Port}/api/v3")),
    };

    private async Task<CredentialResult> GetAsync(KitCredentialSource source) =>
        await _fixture.Broker.GetAsync(source, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

    private Task<IResult> AnswerAsync(HttpContext context, IFormCollection form)
    {
        string authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal)
            || JwtVerifier.Verify(authorization["Bearer ".Length..], _appKey) is not { } jwt
            || context.Request.Headers.Accept != "application/vnd.github+json")
        {
            return Task.FromResult(Results.Json(new { message = "A JSON web token could not be decoded" }, statusCode: 401));
        }

        long now = _fixture.Clock.GetUtcNow().ToUnixTimeSeconds();
        long iat = jwt.Claims.GetProperty("iat").GetInt64();
        long exp = jwt.Claims.GetProperty("exp").GetInt64();
        if (jwt.Claims.GetProperty("iss").GetString() != AppId.ToString(CultureInfo.InvariantCulture) || iat > now || exp <= now || exp - iat > 600)
        {
            return Task.FromResult(Results.Json(new { message = "'Expiration time' claim ('exp') is too far in the future" }, statusCode: 401));
        }

        string expiresAt = _fixture.Clock.GetUtcNow().AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        return Task.FromResult(Results.Json(new { token = "ghs_local" + _api.Hits, expires_at = expiresAt }, statusCode: 201));
    }
}
