using System.Text.Json.Serialization;
using Gateway.Policy;
using Gateway.Sandboxes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

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
        endpoints.MapGet(StatusPath, () => Results.Json(
            new AdminStatus(policy.Current.Rules.Count, policy.Current.Kits.Length, policy.Reloads, policy.FailedReloads),
            AdminJsonContext.Default.AdminStatus));
        endpoints.MapPost(ReloadPath, () =>
        {
            var errors = new List<string>();
            bool reloaded = policy.Reload(errors);
            var result = new AdminReloadResult(reloaded, policy.Current.Rules.Count, errors);
            return Results.Json(result, AdminJsonContext.Default.AdminReloadResult, statusCode: reloaded ? 200 : 409);
        });
    }
}

/// <summary>Problems with a request, each one line.</summary>
internal sealed record AdminErrors(IReadOnlyList<string> Errors);

/// <summary>`GET /status`.</summary>
internal sealed record AdminStatus(int Rules, int Kits, long Reloads, long FailedReloads);

/// <summary>`POST /policy/reload`: 200 when the new policy is live, 409 with the problems when the old one stays.</summary>
internal sealed record AdminReloadResult(bool Reloaded, int Rules, IReadOnlyList<string> Errors);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(AdminStatus))]
[JsonSerializable(typeof(AdminReloadResult))]
[JsonSerializable(typeof(AdminErrors))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
