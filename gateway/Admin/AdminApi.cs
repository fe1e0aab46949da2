using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gateway.Audit;
using Gateway.Interception.Certificates;
using Gateway.Policy;
using Gateway.Sandboxes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gateway.Admin;

/// <summary>
/// The admin API, served only on the unix socket in the state directory (mode 0600): never on
/// a TCP port a sandbox could reach. The CLI uses it to make a change take effect before it
/// returns; vmm will register sandboxes through it.
/// </summary>
internal static class AdminApi
{
    public const string ReloadPath = "/policy/reload";
    public const string StatusPath = "/status";
    public const string SandboxesPath = "/sandboxes";
    public const string AuditAggregatePath = "/audit/aggregate";
    public const string AuditFollowPath = "/audit/follow";
    public const string CaRotatePath = "/ca/rotate";

    public static void Map(IEndpointRouteBuilder endpoints, LivePolicy policy, SandboxRegistry sandboxes)
    {
        endpoints.MapGet(SandboxesPath, () =>
        {
            var rows = new List<SandboxRow>();
            foreach (Sandbox sandbox in sandboxes.All)
            {
                rows.Add(SandboxRow.From(sandbox));
            }

            return Results.Json(rows, SandboxJsonContext.Default.ListSandboxRow);
        });
        endpoints.MapPost(SandboxesPath, async (HttpContext context) =>
        {
            SandboxRegistration? registration;
            try
            {
                registration = await context.Request.ReadFromJsonAsync(SandboxJsonContext.Default.SandboxRegistration).ConfigureAwait(false);
            }
            catch (System.Text.Json.JsonException e)
            {
                return Results.Json(new AdminErrors([$"body is not a sandbox registration: {e.Message}"]), AdminJsonContext.Default.AdminErrors, statusCode: 400);
            }

            if (registration is null)
            {
                return Results.Json(new AdminErrors(["body is empty; send {name, addresses, kits, token?}"]), AdminJsonContext.Default.AdminErrors, statusCode: 400);
            }

            List<string> errors = sandboxes.Register(registration, policy.Current);
            return errors.Count == 0
                ? Results.Created(SandboxesPath + "/" + registration.Name, null)
                : Results.Json(new AdminErrors(errors), AdminJsonContext.Default.AdminErrors, statusCode: 400);
        });
        endpoints.MapDelete(SandboxesPath + "/{name}", (string name) =>
            sandboxes.Unregister(name) ? Results.NoContent() : Results.NotFound());
        endpoints.MapGet(StatusPath, (HttpContext context) => Results.Json(
            new AdminStatus(
                policy.Current.Rules.Count, policy.Current.Kits.Length, policy.Reloads, policy.FailedReloads,
                AdminListeners.From(context.RequestServices), AdminConfidentialPaths.From(context.RequestServices)),
            AdminJsonContext.Default.AdminStatus));
        endpoints.MapPost(ReloadPath, () =>
        {
            var errors = new List<string>();
            bool reloaded = policy.Reload(errors);
            var result = new AdminReloadResult(reloaded, policy.Current.Rules.Count, errors);
            return Results.Json(result, AdminJsonContext.Default.AdminReloadResult, statusCode: reloaded ? 200 : 409);
        });
    }

    /// <summary>
    /// <c>GET /audit/aggregate</c> (the rows of <c>policy log</c>, a JSON array) and
    /// <c>GET /audit/follow</c> (decisions as they happen, JSON Lines, one flush per event,
    /// until the client leaves or the daemon stops) from the daemon's <see cref="AuditWriter"/>.
    /// </summary>
    public static void MapAudit(IEndpointRouteBuilder endpoints, IAuditSource audit)
    {
        endpoints.MapGet(AuditAggregatePath, async (CancellationToken cancellation) =>
        {
            IReadOnlyList<AuditLogRow> rows = await audit.ReadAggregateAsync(cancellation).ConfigureAwait(false);
            return Results.Json(rows as List<AuditLogRow> ?? [.. rows], AdminJsonContext.Default.ListAuditLogRow);
        });
        endpoints.MapGet(AuditFollowPath, (HttpContext http) => FollowAsync(http, audit));
    }

    /// <summary>
    /// <c>POST /ca/rotate</c>: a new interception CA on disk, and the daemon's leaf cache switched
    /// to it before the answer, so the next intercepted handshake already chains to the new CA.
    /// </summary>
    public static void MapCertificateAuthority(IEndpointRouteBuilder endpoints, LeafCertificateCache leaves, string stateDir)
    {
        endpoints.MapPost(CaRotatePath, (HttpContext http) =>
        {
            TimeProvider time = http.RequestServices.GetRequiredService<TimeProvider>();
            try
            {
                CertificateAuthority authority = CertificateAuthority.Rotate(stateDir, time);
                leaves.Replace(authority);
                return Results.Json(AdminCaRotation.From(authority), AdminJsonContext.Default.AdminCaRotation);
            }
            catch (CertificateAuthorityException e)
            {
                return Results.Json(new AdminErrors([e.Message]), AdminJsonContext.Default.AdminErrors, statusCode: 500);
            }
        });
    }

    private static async Task FollowAsync(HttpContext http, IAuditSource audit)
    {
        // A watcher must not hold up shutdown: Kestrel drains requests before the audit writer stops.
        CancellationToken stopping = http.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var end = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, stopping);
        http.Response.ContentType = "application/x-ndjson";
        try
        {
            await http.Response.StartAsync(end.Token).ConfigureAwait(false);
            await using var json = new Utf8JsonWriter(http.Response.BodyWriter, AuditEventJson.WriterOptions);
            await foreach (AuditEvent e in audit.FollowAsync(end.Token).ConfigureAwait(false))
            {
                json.Reset();
                AuditEventJson.Write(json, in e);
                json.Flush();
                http.Response.BodyWriter.Write("\n"u8);
                await http.Response.BodyWriter.FlushAsync(end.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (end.IsCancellationRequested)
        {
        }
    }
}

/// <summary>Problems with a request, each one line.</summary>
internal sealed record AdminErrors(IReadOnlyList<string> Errors);

/// <summary>
/// `GET /status`; vmm learns the ports it redirects sandboxes to from <paramref name="Listeners"/>,
/// and what it must hide from them from <paramref name="ConfidentialPaths"/>.
/// </summary>
internal sealed record AdminStatus(int Rules, int Kits, long Reloads, long FailedReloads, AdminListeners Listeners, IReadOnlyList<string> ConfidentialPaths);

/// <summary>`POST /policy/reload`: 200 when the new policy is live, 409 with the problems when the old one stays.</summary>
internal sealed record AdminReloadResult(bool Reloaded, int Rules, IReadOnlyList<string> Errors);

/// <summary>`POST /ca/rotate`: the new CA's certificate file, expiry and SHA-256 fingerprint.</summary>
internal sealed record AdminCaRotation(string CertificatePath, DateTimeOffset NotAfter, string Sha256)
{
    public static AdminCaRotation From(CertificateAuthority authority) => new(
        authority.CertificatePath,
        authority.Certificate.NotAfter.ToUniversalTime(),
        authority.Certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256));
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(AdminStatus))]
[JsonSerializable(typeof(AdminReloadResult))]
[JsonSerializable(typeof(AdminErrors))]
[JsonSerializable(typeof(AdminCaRotation))]
[JsonSerializable(typeof(List<AuditLogRow>))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
