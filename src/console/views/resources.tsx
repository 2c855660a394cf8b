/** Stacks (resources and events), documents (versions and content) and instances (tags and ping status). */
import { useState } from 'preact/hooks';
import { ApiError, cloudformation, consoleJson, ssm } from '../api/client.js';
import { ErrorNote, formatTime, Head, href, Picker, JsonBlock, Section, StatusBadge, Unavailable, useLiveRefresh, useLoad } from './common.js';

type Row = Record<string, unknown>;
const s = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const rows = (v: unknown): Row[] => (Array.isArray(v) ? (v as Row[]) : []);

/** An API the endpoint does not serve (yet) is shown as such, not as an error. */
const notServed = (error: Error | undefined): boolean =>
  error instanceof ApiError && (error.name === 'UnknownOperationException' || error.name === 'InvalidAction' || /not (supported|implemented)/i.test(error.message));

export function StacksPage() {
  const stacks = useLoad(() => cloudformation<{ StackSummaries?: unknown }>('ListStacks'), []);
  const list = rows(stacks.data?.StackSummaries).filter((st) => s(st['StackStatus']) !== 'DELETE_COMPLETE');
  return (
    <Section title="Stacks">
      {stacks.error && <ErrorNote error={stacks.error} what="the stacks" />}
      {stacks.data && list.length === 0 && <p>No stacks.</p>}
      {list.length > 0 && (
        <table class="grid">
          <Head columns={['Name', 'Status', 'Created', 'Description']} />
          <tbody>
            {list.map((st) => (
              <tr key={s(st['StackId'])}>
                <td>
                  <a href={href.stack(s(st['StackName']))}>{s(st['StackName'])}</a>
                </td>
                <td>
                  <StatusBadge status={s(st['StackStatus'])} />
                </td>
                <td>{formatTime(st['CreationTime'])}</td>
                <td>{s(st['TemplateDescription'])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

export function StackPage({ name }: { name: string }) {
  const stack = useLoad(() => cloudformation<{ Stacks?: unknown }>('DescribeStacks', { StackName: name }), [name]);
  const resources = useLoad(() => cloudformation<{ StackResourceSummaries?: unknown }>('ListStackResources', { StackName: name }), [name]);
  const events = useLoad(() => cloudformation<{ StackEvents?: unknown }>('DescribeStackEvents', { StackName: name }), [name]);
  const st = rows(stack.data?.Stacks)[0];
  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href.stacks()}>Stacks</a> › <span>{name}</span>
      </nav>
      {stack.error && <ErrorNote error={stack.error} what="the stack" />}
      {st && (
        <Section title={name}>
          <p>
            <StatusBadge status={s(st['StackStatus'])} /> {s(st['StackStatusReason'])}
          </p>
          <h3>Outputs</h3>
          <table class="grid compact">
            <tbody>
              {rows(st['Outputs']).map((o) => (
                <tr key={s(o['OutputKey'])}>
                  <th scope="row">{s(o['OutputKey'])}</th>
                  <td>
                    <code>{s(o['OutputValue'])}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      )}
      <Section title="Resources">
        {resources.error && (notServed(resources.error) ? <Unavailable error={resources.error} what="ListStackResources" /> : <ErrorNote error={resources.error} what="the resources" />)}
        {resources.data && (
          <table class="grid">
            <Head columns={['Logical ID', 'Physical ID', 'Type', 'Status']} />
            <tbody>
              {rows(resources.data.StackResourceSummaries).map((r) => (
                <tr key={s(r['LogicalResourceId'])}>
                  <td>{s(r['LogicalResourceId'])}</td>
                  <td>
                    <code>{s(r['PhysicalResourceId'])}</code>
                  </td>
                  <td>{s(r['ResourceType'])}</td>
                  <td>
                    <StatusBadge status={s(r['ResourceStatus'])} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title="Events">
        {events.error && <ErrorNote error={events.error} what="the events" />}
        {events.data && (
          <table class="grid">
            <Head columns={['Time', 'Logical ID', 'Type', 'Status', 'Reason']} />
            <tbody>
              {rows(events.data.StackEvents).map((e) => (
                <tr key={s(e['EventId'])}>
                  <td>{formatTime(e['Timestamp'])}</td>
                  <td>{s(e['LogicalResourceId'])}</td>
                  <td>{s(e['ResourceType'])}</td>
                  <td>
                    <StatusBadge status={s(e['ResourceStatus'])} />
                  </td>
                  <td>{s(e['ResourceStatusReason'])}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </>
  );
}

export function DocumentsPage() {
  const documents = useLoad(() => ssm<{ DocumentIdentifiers: Row[] }>('ListDocuments', {}), []);
  return (
    <Section title="Documents">
      {documents.error && <ErrorNote error={documents.error} what="the documents" />}
      {documents.data && (
        <table class="grid">
          <Head columns={['Name', 'Type', 'Default version', 'Format', 'Owner']} />
          <tbody>
            {documents.data.DocumentIdentifiers.map((d) => (
              <tr key={s(d['Name'])}>
                <td>
                  <a href={href.document(s(d['Name']))}>{s(d['Name'])}</a>
                </td>
                <td>{s(d['DocumentType'])}</td>
                <td>{s(d['DocumentVersion'])}</td>
                <td>{s(d['DocumentFormat'])}</td>
                <td>{s(d['Owner'])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

export function DocumentPage({ name }: { name: string }) {
  const described = useLoad(() => ssm<{ Document: Row }>('DescribeDocument', { Name: name }), [name]);
  const versions = useLoad(() => ssm<{ DocumentVersions: Row[] }>('ListDocumentVersions', { Name: name }), [name]);
  const [version, setVersion] = useState('');
  const content = useLoad(() => ssm<{ Content: string; DocumentVersion: string; DocumentFormat: string }>('GetDocument', { Name: name, ...(version === '' ? {} : { DocumentVersion: version }) }), [name, version]);
  const latest = Number(described.data?.Document['LatestVersion'] ?? 1);
  const versionList = versions.data?.DocumentVersions.map((v) => s(v['DocumentVersion'])) ?? Array.from({ length: Number.isFinite(latest) ? latest : 1 }, (_, i) => String(i + 1));
  const d = described.data?.Document;
  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href.documents()}>Documents</a> › <span>{name}</span>
      </nav>
      {described.error && <ErrorNote error={described.error} what="the document" />}
      {d && (
        <Section title={name}>
          <dl class="facts">
            <dt>Type</dt>
            <dd>{s(d['DocumentType'])}</dd>
            <dt>Status</dt>
            <dd>
              <StatusBadge status={s(d['Status'])} />
            </dd>
            <dt>Default version</dt>
            <dd>{s(d['DefaultVersion'])}</dd>
            <dt>Latest version</dt>
            <dd>{s(d['LatestVersion'])}</dd>
          </dl>
          {s(d['Description']) !== '' && <p>{s(d['Description'])}</p>}
        </Section>
      )}
      <Section
        title="Content"
        actions={
          <Picker label="Version" name="Document version" value={version} values={versionList} first={{ text: 'default' }} onPick={setVersion} />
        }
      >
        {versions.error && notServed(versions.error) && <Unavailable error={versions.error} what="ListDocumentVersions" />}
        {content.error && <ErrorNote error={content.error} what="the content" />}
        {content.data && (
          <>
            <p>
              Version {content.data.DocumentVersion}, {content.data.DocumentFormat}
            </p>
            {content.data.DocumentFormat === 'JSON' ? <JsonBlock value={content.data.Content} label="Document content" /> : <pre class="json">{content.data.Content}</pre>}
          </>
        )}
      </Section>
    </>
  );
}

export function InstancesPage() {
  const instances = useLoad(() => consoleJson<{ Instances: Row[] }>('api/instances'), []);
  useLiveRefresh((c) => c.kind === 'instance', instances.reload, [instances.reload]);
  return (
    <Section title="Instances">
      {instances.error && <ErrorNote error={instances.error} what="the instances" />}
      {instances.data && instances.data.Instances.length === 0 && <p>No local instances. Start serve with --instance auto.</p>}
      {instances.data && instances.data.Instances.length > 0 && (
        <table class="grid">
          <Head columns={['Instance', 'Name', 'Ping status', 'Last ping', 'Platform', 'Tags', 'Root folder']} />
          <tbody>
            {instances.data.Instances.map((i) => (
              <tr key={s(i['InstanceId'])} data-instance={s(i['InstanceId'])}>
                <td>
                  <code>{s(i['InstanceId'])}</code>
                </td>
                <td>{s(i['Name'])}</td>
                <td>
                  <StatusBadge status={s(i['PingStatus'])} />
                </td>
                <td>{formatTime(i['LastPingDateTime'])}</td>
                <td>
                  {s(i['PlatformType'])} ({s(i['ResourceType'])})
                </td>
                <td>
                  <ul class="tags">
                    {rows(i['Tags']).map((t) => (
                      <li key={s(t['Key'])}>
                        {s(t['Key'])}={s(t['Value'])}
                      </li>
                    ))}
                  </ul>
                </td>
                <td>
                  <code>{s(i['RootDir'])}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}
