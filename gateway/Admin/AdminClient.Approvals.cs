using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Gateway.Approvals;

namespace Gateway.Admin;

/// <summary>Ask mode through the admin socket: pending approvals live only in the running daemon.</summary>
internal static partial class AdminClient
{
    /// <summary>The daemon's pending approvals; null when no daemon listens.</summary>
    public static Task<List<PendingApprovalRow>?> TryListPendingAsync(UnixDomainSocketEndPoint endpoint, CancellationToken cancellation) =>
        TrySendAsync(endpoint, cancellation, async (client, token) =>
        {
            using HttpResponseMessage response = await client.GetAsync(AdminApprovals.PendingPath, token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                throw new Cli.CliException("the running gateway predates ask mode (policy.ask); restart it with this version");
            }

            response.EnsureSuccessStatusCode();
            return await response.Content.ReadFromJsonAsync(ApprovalJsonContext.Default.ListPendingApprovalRow, token).ConfigureAwait(false);
        });

    /// <summary>
    /// Approves (<paramref name="approve"/>) or rejects pending approval <paramref name="id"/>; null when
    /// no daemon listens. The daemon's refusal (unknown id, a rule it could not make live) is a
    /// <see cref="Cli.CliException"/> with its message.
    /// </summary>
    public static Task<ApprovalAnswer?> TryAnswerAsync(
        UnixDomainSocketEndPoint endpoint, string id, bool approve, TimeSpan? lifetime, bool allSandboxes, CancellationToken cancellation) =>
        TrySendAsync(endpoint, cancellation, async (client, token) =>
        {
            string path = AdminApprovals.PendingPath + "/" + Uri.EscapeDataString(id) + (approve ? "/approve" : "/reject");
            if (approve)
            {
                var query = new List<string>();
                if (lifetime is { } duration)
                {
                    query.Add("for=" + ((long)duration.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s");
                }

                if (allSandboxes)
                {
                    query.Add("allSandboxes=true");
                }

                path += query.Count == 0 ? string.Empty : "?" + string.Join("&", query);
            }

            using HttpResponseMessage response = await client.PostAsync(path, content: null, token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                AdminErrors? errors = response.Content.Headers.ContentType?.MediaType == "application/json"
                    ? await response.Content.ReadFromJsonAsync(AdminJsonContext.Default.AdminErrors, token).ConfigureAwait(false)
                    : null;
                throw new Cli.CliException(string.Join("; ", errors?.Errors ?? [$"the running gateway answered {(int)response.StatusCode} {response.ReasonPhrase}"]));
            }

            return await response.Content.ReadFromJsonAsync(ApprovalJsonContext.Default.ApprovalAnswer, token).ConfigureAwait(false);
        });
}
