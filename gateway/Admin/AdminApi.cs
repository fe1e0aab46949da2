using System.Text.Json.Serialization;
using Gateway.Policy;
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
    public const string ReloadPath = "/v1/policy/reload";
    public const string StatusPath = "/v1/status";

    public static void Map(IEndpointRouteBuilder endpoints, LivePolicy policy)
    {
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

/// <summary>`GET /v1/status`.</summary>
internal sealed record AdminStatus(int Rules, int Kits, long Reloads, long FailedReloads);

/// <summary>`POST /v1/policy/reload`: 200 when the new policy is live, 409 with the problems when the old one stays.</summary>
internal sealed record AdminReloadResult(bool Reloaded, int Rules, IReadOnlyList<string> Errors);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(AdminStatus))]
[JsonSerializable(typeof(AdminReloadResult))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
