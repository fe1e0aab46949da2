using System.Text.Json.Serialization;
using Gateway.Interception;
using Gateway.Interception.Forwarding;
using Gateway.Policy;
using Gateway.Sandboxes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gateway.Admin;

/// <summary>
/// <c>GET /sandboxes/{name}/environment</c>: what vmm puts in a sandbox's environment — the
/// literal variables of its kits and, for each proxy-managed variable, the sandbox's placeholder
/// (never the value, which stays on the host).
/// </summary>
internal static class AdminEnvironment
{
    public const string PathTemplate = AdminApi.SandboxesPath + "/{name}/environment";

    public static void Map(IEndpointRouteBuilder endpoints, LivePolicy policy, SandboxRegistry sandboxes, Placeholders placeholders)
    {
        endpoints.MapGet(PathTemplate, (string name) =>
        {
            Sandbox? sandbox = null;
            foreach (Sandbox candidate in sandboxes.All)
            {
                if (string.Equals(candidate.Name, name, StringComparison.Ordinal))
                {
                    sandbox = candidate;
                }
            }

            if (sandbox is null)
            {
                return Results.NotFound();
            }

            InterceptionTable table = policy.Generation.Interception;
            var environment = new SandboxEnvironment(new SortedDictionary<string, string>(StringComparer.Ordinal), new SortedDictionary<string, string>(StringComparer.Ordinal));
            foreach (string kitName in sandbox.Kits)
            {
                if (table.Kit(kitName) is not { } kit)
                {
                    continue;
                }

                foreach ((string variable, string value) in kit.Environment.Variables)
                {
                    environment.Variables[variable] = value;
                }

                foreach (string variable in kit.Environment.ProxyManaged)
                {
                    environment.ProxyManaged[variable] = placeholders.For(sandbox.Name, variable);
                }
            }

            return Results.Json(environment, AdminEnvironmentJsonContext.Default.SandboxEnvironment);
        });
    }
}

/// <summary>A sandbox's environment as vmm sets it.</summary>
/// <param name="Variables">Literal variables, by name.</param>
/// <param name="ProxyManaged">Proxy-managed variables and their placeholders, by name.</param>
internal sealed record SandboxEnvironment(SortedDictionary<string, string> Variables, SortedDictionary<string, string> ProxyManaged);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(SandboxEnvironment))]
internal sealed partial class AdminEnvironmentJsonContext : JsonSerializerContext;
