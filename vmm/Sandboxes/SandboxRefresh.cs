using System.Net;
using PolicyCompiler.Kits;
using Vmm.Admin;
using Vmm.Network;

namespace Vmm.Sandboxes;

/// <summary>
/// Brings an existing sandbox up to date with its gateway before <c>vmm exec</c>: a gateway that
/// restarted with other ports gets the sandbox's nftables chains and proxy variables made again
/// (nothing is recreated), a rotated CA a new bundle, a changed configuration a new set of
/// confidential paths. With no gateway running, the sandbox keeps what was last learnt.
/// </summary>
internal sealed class SandboxRefresh(SandboxStore store, GatewayAdmin admin, TextWriter notes)
{
    /// <summary>The record as it is now (written back when something changed).</summary>
    public async Task<SandboxRecord> RefreshAsync(SandboxRecord record, CancellationToken cancellation)
    {
        GatewayStatus status;
        try
        {
            status = await admin.StatusAsync(cancellation).ConfigureAwait(false);
        }
        catch (GatewayNotRunningException e)
        {
            notes.WriteLine($"vmm: note: {e.Message}; the sandbox keeps the ports and hidden paths learnt before");
            return record;
        }

        var warnings = new List<string>();
        SandboxRecord updated = record;
        GatewayPorts ports = GatewayPortsReader.Read(status, warnings);
        if (ports != record.Ports)
        {
            await NftRuleset.AddAsync(record.HostInterface, IPAddress.Parse(record.HostAddress), IPAddress.Parse(record.SandboxAddress), ports, cancellation).ConfigureAwait(false);
            updated = updated with
            {
                Ports = ports,
                Environment = SandboxEnvironment.WithPorts(record.Environment, record.HostAddress, ports, record.Name, record.Token),
            };
            foreach (string warning in warnings)
            {
                notes.WriteLine("vmm: note: " + warning);
            }
        }

        List<string> confidential = ConfidentialPaths.Collect(store.StateDirectory, status.ConfidentialPaths, LoadKits(record.KitFiles));
        if (record.Confidential is null || !confidential.SequenceEqual(record.Confidential))
        {
            updated = updated with { Confidential = confidential };
        }

        // Quiet: a missing gateway CA was reported by create; the bundle follows a rotation here.
        CaBundle.Write(record.HostInterface, CaBundle.Compose(store.StateDirectory, []));
        if (!ReferenceEquals(updated, record))
        {
            store.Write(updated);
        }

        return updated;
    }

    // Kit credential files are confidential too; a kit file that is gone or broken now adds nothing.
    private static List<KitSpec> LoadKits(IReadOnlyList<string> files)
    {
        var kits = new List<KitSpec>(files.Count);
        var errors = new List<KitError>();
        foreach (string file in files)
        {
            string path = Directory.Exists(file) ? Path.Combine(file, "spec.yaml") : file;
            if (File.Exists(path) && KitParser.TryLoad(path, out KitSpec? kit, errors))
            {
                kits.Add(kit);
            }
        }

        return kits;
    }
}
