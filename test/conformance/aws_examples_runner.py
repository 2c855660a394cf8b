#!/usr/bin/env python3
"""Replays the aws-examples conformance cases (test/fixtures/conformance/aws-examples, see its README) against an
endpoint with boto3, and compares each response with the case's shape: missing keys, JSON types, enum values, and
keys the current botocore model lacks ("extra"). SSM responses are checked on the raw JSON body, CloudFormation ones
on boto3's parse (types) and the raw XML (extra keys), both read before boto3 drops unknown members.

    python3 aws_examples_runner.py --endpoint http://127.0.0.1:PORT --instance-id i-... --instance-tag Env=Dev
    python3 aws_examples_runner.py --self-check

Prints one JSON object per case ({"id", "ok", "problems": {kind: [...]}}) and a summary line on stderr.
"""
import argparse
import json
import re
import sys
import time
import uuid
import xml.etree.ElementTree as ET

import boto3
import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError

CASES = 'test/fixtures/conformance/aws-examples/dev.jsonl'

# ------------------------------------------------------------------ the runner's fixed contents (README "Setup steps")

CONTENTS = {
    # A YAML runbook with parameters AutomationAssumeRole and InstanceId and one aws:runCommand step.
    'automation-yaml': """description: Example
schemaVersion: '0.3'
assumeRole: '{{ AutomationAssumeRole }}'
parameters:
  AutomationAssumeRole:
    type: String
    description: (Optional) The ARN of the role that allows Automation to perform the actions on your behalf.
    default: ''
  InstanceId:
    type: String
    description: (Required) The ID of the instance to run the command on.
    default: ''
mainSteps:
  - name: RunCommand
    action: aws:runCommand
    inputs:
      DocumentName: AWS-RunShellScript
      InstanceIds:
        - '{{ InstanceId }}'
      Parameters:
        commands:
          - echo HelloWorld
""",
    # A JSON Command document.
    'command-json': json.dumps({
        'schemaVersion': '2.2',
        'description': 'Run a shell script.',
        'parameters': {'commands': {'type': 'StringList', 'description': 'The commands to run.'}},
        'mainSteps': [{'action': 'aws:runShellScript', 'name': 'runShellScript', 'inputs': {'runCommand': '{{ commands }}'}}],
    }, indent=2),
    'command-json-v2': json.dumps({
        'schemaVersion': '2.2',
        'description': 'Run a shell script (version 2).',
        'parameters': {'commands': {'type': 'StringList', 'description': 'The commands to run.'}},
        'mainSteps': [{'action': 'aws:runShellScript', 'name': 'runShellScript',
                       'inputs': {'runCommand': '{{ commands }}', 'timeoutSeconds': '600'}}],
    }, indent=2),
}

# The same with an aws:sleep first.
CONTENTS['automation-sleep-yaml'] = CONTENTS['automation-yaml'].replace(
    'mainSteps:\n', 'mainSteps:\n  - name: Sleep\n    action: aws:sleep\n    inputs:\n      Duration: PT5S\n')

TEMPLATES = {
    # One AWS::SSM::Document, parameters KeyPairName and SubnetIDs with defaults.
    'stack-json': json.dumps({
        'AWSTemplateFormatVersion': '2010-09-09',
        'Description': 'A stack with one SSM document',
        'Parameters': {
            'KeyPairName': {'Type': 'String', 'Default': 'none', 'Description': 'A key pair name'},
            'SubnetIDs': {'Type': 'CommaDelimitedList', 'Default': 'subnet-1,subnet-2', 'Description': 'Subnet ids'},
        },
        'Resources': {'Document': {'Type': 'AWS::SSM::Document', 'Properties': {
            'DocumentType': 'Command',
            'Content': json.loads(CONTENTS['command-json']),
        }}},
        'Outputs': {'DocumentName': {'Value': {'Ref': 'Document'}}},
    }, indent=2),
    # The same document and an IAM role (CAPABILITY_IAM), in YAML.
    'stack-iam-yaml': """AWSTemplateFormatVersion: '2010-09-09'
Description: A stack with one SSM document and an IAM role
Parameters:
  KeyPairName:
    Type: String
    Default: none
  SubnetIDs:
    Type: CommaDelimitedList
    Default: subnet-1,subnet-2
Resources:
  Document:
    Type: AWS::SSM::Document
    Properties:
      DocumentType: Command
      Content:
        schemaVersion: '2.2'
        description: Run a shell script.
        parameters:
          commands:
            type: StringList
            description: The commands to run.
        mainSteps:
          - action: aws:runShellScript
            name: runShellScript
            inputs:
              runCommand: '{{ commands }}'
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal:
              Service: ssm.amazonaws.com
            Action: sts:AssumeRole
""",
}

TERMINAL_COMMAND = {'Success', 'Failed', 'TimedOut', 'Cancelled'}
TERMINAL_AUTOMATION = {'Success', 'Failed', 'TimedOut', 'Cancelled', 'CompletedWithSuccess', 'CompletedWithFailure', 'Exited', 'Rejected'}
TERMINAL_STACK = re.compile(r'(_COMPLETE|_FAILED)$')
TERMINAL_CHANGE_SET = {'CREATE_COMPLETE', 'FAILED', 'DELETE_COMPLETE', 'DELETE_FAILED'}


class SetupError(Exception):
    pass


# ------------------------------------------------------------------ the shape comparison (README "Comparison")

TOKEN = re.compile(r'\[\]|\{\}|[^.\[\]{}]+')


def tokens(path):
    return TOKEN.findall(path)


def values_at(root, toks):
    """Every value at the path; absent keys and wrong containers are skipped (reported at their own path)."""
    nodes = [root]
    for tok in toks:
        nxt = []
        for node in nodes:
            if tok == '[]':
                if isinstance(node, list):
                    nxt.extend(node)
            elif tok == '{}':
                if isinstance(node, dict):
                    nxt.extend(node.values())
            elif isinstance(node, dict) and tok in node:
                nxt.append(node[tok])
        nodes = nxt
    return nodes


def json_type(value, service, self_check):
    if isinstance(value, bool):
        return 'bool'
    if isinstance(value, (int, float)):
        return 'number'
    if isinstance(value, str):
        return 'string'
    if isinstance(value, list):
        return 'array'
    if isinstance(value, dict):
        return 'object'
    if hasattr(value, 'isoformat'):
        return 'timestamp'
    return type(value).__name__


def type_ok(expected, value, service, self_check):
    actual = json_type(value, service, self_check)
    if expected == 'timestamp':
        if self_check:
            return actual in ('string', 'number', 'timestamp')
        # SSM (JSON protocol): epoch seconds, a number in the raw body; CloudFormation: boto3 parses the XML to a datetime.
        return actual == ('number' if service == 'ssm' else 'timestamp')
    return actual == expected


def compare(case, response, self_check=False):
    problems = {'missing': [], 'type': [], 'enum': []}
    service = case['service']
    for path, spec in case['shape'].items():
        toks = tokens(path)
        parents = values_at(response, toks[:-1])
        last = toks[-1]
        if last in ('[]', '{}'):
            vals = []
            for parent in parents:
                if last == '[]' and isinstance(parent, list):
                    vals.extend(parent)
                elif last == '{}' and isinstance(parent, dict):
                    vals.extend(parent.values())
        else:
            vals = []
            for parent in parents:
                if not isinstance(parent, dict):
                    continue
                if last in parent:
                    vals.append(parent[last])
                elif not spec.get('optional'):
                    problems['missing'].append(path)
        for value in vals:
            if not type_ok(spec['type'], value, service, self_check):
                problems['type'].append('%s: %s, expected %s' % (path, json_type(value, service, self_check), spec['type']))
                continue
            if spec.get('nonEmpty') and isinstance(value, list) and len(value) == 0:
                problems['missing'].append(path + '[] (empty list)')
            # Only fields with a model (or user guide) enum are checked: `enum` alone is a documented example value.
            # "An empty string is what AWS sends for an unset enum (NotificationType: "")" (README).
            if 'allowed' in spec and isinstance(value, str) and value != '':
                if value not in spec['allowed'] and value not in spec.get('enum', []):
                    problems['enum'].append('%s: %r' % (path, value))
    return {k: sorted(set(v)) for k, v in problems.items() if v}


class Model:
    """The current botocore output shapes, for keys the model lacks."""

    def __init__(self, service):
        loader = botocore.session.get_session().get_component('data_loader')
        self.service = service
        self.model = loader.load_service_model(service, 'service-2')
        self.shapes = self.model['shapes']

    def output_shape(self, operation):
        out = self.model['operations'][operation].get('output')
        return None if out is None else self.shapes[out['shape']]

    def extra_json(self, value, shape, path, found):
        if shape is None:
            return
        kind = shape['type']
        if kind == 'structure' and isinstance(value, dict):
            for key, child in value.items():
                member = shape['members'].get(key)
                if member is None:
                    found.append((path + '.' if path else '') + key)
                else:
                    self.extra_json(child, self.shapes[member['shape']], (path + '.' if path else '') + key, found)
        elif kind == 'list' and isinstance(value, list):
            for item in value:
                self.extra_json(item, self.shapes[shape['member']['shape']], path + '[]', found)
        elif kind == 'map' and isinstance(value, dict):
            for item in value.values():
                self.extra_json(item, self.shapes[shape['value']['shape']], path + '{}', found)

    def extra_xml(self, element, shape, path, found):
        kind = shape['type']
        if kind == 'structure':
            names = {}
            for name, member in shape['members'].items():
                names[member.get('locationName', name)] = (name, member)
            for child in element:
                tag = child.tag.split('}', 1)[-1]
                if tag not in names:
                    found.append((path + '.' if path else '') + tag)
                    continue
                name, member = names[tag]
                self.extra_xml(child, self.shapes[member['shape']], (path + '.' if path else '') + name, found)
        elif kind == 'list':
            member_name = shape['member'].get('locationName', 'member')
            for child in element:
                tag = child.tag.split('}', 1)[-1]
                if tag != member_name:
                    found.append(path + '.' + tag)
                    continue
                self.extra_xml(child, self.shapes[shape['member']['shape']], path + '[]', found)
        elif kind == 'map':
            for entry in element:
                for part in entry:
                    if part.tag.split('}', 1)[-1] == 'value':
                        self.extra_xml(part, self.shapes[shape['value']['shape']], path + '{}', found)


# ------------------------------------------------------------------ the runner

class Runner:
    def __init__(self, endpoint, instance_ids, instance_tag, region='us-east-1', poll=0.05, deadline=60):
        cfg = Config(retries={'max_attempts': 1, 'mode': 'standard'}, connect_timeout=10, read_timeout=60)
        session = boto3.session.Session(aws_access_key_id='local', aws_secret_access_key='local', region_name=region)
        self.clients = {s: session.client(s, endpoint_url=endpoint, config=cfg) for s in ('ssm', 'cloudformation', 'stepfunctions')}
        self.models = {s: Model(s) for s in ('ssm', 'cloudformation')}
        self.raw = {}
        for name, client in self.clients.items():
            client.meta.events.register('after-call', self._keep_raw)
        self.instance_ids = instance_ids
        self.tag_key, self.tag_value = instance_tag if instance_tag else (None, None)
        self.poll = poll
        self.deadline = deadline
        self.notes = []
        self.created = []

    def _keep_raw(self, http_response=None, model=None, **_):
        if http_response is not None and model is not None:
            self.raw[model.name] = http_response.content

    def fresh(self, key):
        base = re.sub(r'[^A-Za-z0-9-]', '-', key).strip('-') or 'x'
        if not base[0].isalpha():
            base = 'x' + base
        return '%s-%s' % (base[:60], uuid.uuid4().hex[:8])

    # -------------------------------------------------------------- placeholders

    def resolve(self, value, b):
        if isinstance(value, str):
            whole = re.fullmatch(r'\$\{([^}]+)\}', value)
            if whole:
                return self.lookup(whole.group(1), b)
            return re.sub(r'\$\{([^}]+)\}', lambda m: str(self.lookup(m.group(1), b)), value)
        if isinstance(value, list):
            return [self.resolve(v, b) for v in value]
        if isinstance(value, dict):
            return {k: self.resolve(v, b) for k, v in value.items()}
        return value

    def lookup(self, ref, b):
        if ref in b:
            return b[ref]
        prefix, _, key = ref.partition(':')
        if prefix == 'template' and key in TEMPLATES:
            return TEMPLATES[key]
        if prefix == 'content' and key in CONTENTS:
            return CONTENTS[key]
        # A fresh name ({"name": K, "fresh": true}) answers for any kind of placeholder named K.
        if 'name:' + key in b:
            return b['name:' + key]
        raise SetupError('unbound placeholder ${%s}' % ref)

    def remap(self, request, remap, b):
        """Replaces the example's ids with placeholders, then resolves them. `tag-key:K` / `tag-value:V` name a tag
        key or value in `tag:K` target and filter keys and their values."""
        tag_keys = {k[len('tag-key:'):]: v for k, v in remap.items() if k.startswith('tag-key:')}
        tag_values = {k[len('tag-value:'):]: v for k, v in remap.items() if k.startswith('tag-value:')}
        plain = {k: v for k, v in remap.items() if not k.startswith(('tag-key:', 'tag-value:'))}

        def walk(value, parent_key=None):
            if isinstance(value, str):
                return plain.get(value, value)
            if isinstance(value, list):
                return [walk(v, parent_key) for v in value]
            if isinstance(value, dict):
                out = {}
                key = value.get('Key') if isinstance(value.get('Key'), str) else None
                tagged = key is not None and key.startswith('tag:') and key[4:] in tag_keys
                for k, v in value.items():
                    if k == 'Key' and tagged:
                        out[k] = 'tag:' + tag_keys[key[4:]]
                    elif k == 'Values' and key is not None and key.startswith('tag:') and isinstance(v, list):
                        out[k] = [tag_values.get(x, plain.get(x, x)) for x in v]
                    else:
                        out[k] = walk(v, k)
                return out
            return value

        return self.resolve(walk(request), b)

    # -------------------------------------------------------------- setup steps

    def teardown(self):
        """Deletes what the last case's setup and request created, so that one case's documents and stacks do not
        show up in the next case's lists."""
        ssm = self.clients['ssm']
        cfn = self.clients['cloudformation']
        for kind, name in reversed(self.created):
            try:
                if kind == 'document':
                    shared = ssm.describe_document_permission(Name=name, PermissionType='Share')['AccountIds']
                    if shared:
                        ssm.modify_document_permission(Name=name, PermissionType='Share', AccountIdsToRemove=shared)
                    ssm.delete_document(Name=name)
                else:
                    cfn.delete_stack(StackName=name)
            except ClientError:
                pass
        self.created = []

    def setup(self, case):
        b = {}
        if self.tag_key is not None:
            b['tagkey'] = self.tag_key
            b['tagvalue'] = self.tag_value
        ssm = self.clients['ssm']
        cfn = self.clients['cloudformation']
        for step in case.get('setup', []):
            if 'instance' in step:
                n = step['instance']
                ids = self.instance_ids
                if not ids:
                    ids = [i['InstanceId'] for i in ssm.describe_instance_information()['InstanceInformationList'] if i.get('PingStatus') == 'Online']
                if len(ids) < n:
                    raise SetupError('no local instance number %d' % n)
                b['instance:%d' % n] = ids[n - 1]
            elif 'name' in step:
                b['name:' + step['name']] = self.fresh(step['name'])
                # The request creates it: a document or a stack, whichever exists afterwards.
                self.created.append(('document', b['name:' + step['name']]))
                self.created.append(('stack', b['name:' + step['name']]))
            elif 'awsdoc' in step:
                name = step['awsdoc']
                try:
                    ssm.describe_document(Name=name)
                    b['awsdoc:' + name] = name
                except ClientError:
                    fb = step['fallback']
                    stand_in = self.fresh(name.replace('AWS-', 'Local-'))
                    ssm.create_document(Name=stand_in, Content=CONTENTS[fb['content']], DocumentType=fb['type'], DocumentFormat=fb['format'])
                    self.created.append(('document', stand_in))
                    self.notes.append('%s: %s is not on the endpoint; stand-in %s' % (case['id'], name, stand_in))
                    b['awsdoc:' + name] = stand_in
            elif 'document' in step and 'content' in step:
                key = step['document']
                name = self.fresh(key)
                request = {'Name': name, 'Content': CONTENTS[step['content']], 'DocumentType': step['type'], 'DocumentFormat': step['format']}
                if step.get('tags'):
                    request['Tags'] = step['tags']
                if step.get('displayName'):
                    request['DisplayName'] = step['displayName']
                ssm.create_document(**request)
                self.created.append(('document', name))
                for i in range(2, step.get('versions', 1) + 1):
                    content = CONTENTS[step['content']]
                    content = content.replace('Example', 'Example v%d' % i) if step['format'] == 'YAML' else json.dumps(dict(json.loads(content), description='Version %d' % i))
                    ssm.update_document(Name=name, Content=content, DocumentVersion='$LATEST', DocumentFormat=step['format'])
                b['document:' + key] = name
            elif 'share' in step:
                name = self.resolve(step['share'], b)
                ssm.modify_document_permission(Name=name, PermissionType='Share', AccountIdsToAdd=step['accounts'])
            elif 'command' in step:
                n = step['command']
                request = {
                    'DocumentName': self.resolve(step['document'], b),
                    'InstanceIds': self.resolve(step['instances'], b),
                    'Parameters': self.resolve(step.get('parameters', {}), b),
                }
                command_id = ssm.send_command(**request)['Command']['CommandId']
                b['command:%d' % n] = command_id
                if step.get('wait'):
                    self.until(lambda: ssm.list_commands(CommandId=command_id)['Commands'][0]['Status'] in TERMINAL_COMMAND, 'command %s' % command_id)
            elif 'automation' in step:
                n = step['automation']
                request = {'DocumentName': self.resolve(step['document'], b), 'Parameters': self.resolve(step.get('parameters', {}), b)}
                execution_id = ssm.start_automation_execution(**request)['AutomationExecutionId']
                b['automation:%d' % n] = execution_id
                if step.get('wait'):
                    get = lambda: ssm.get_automation_execution(AutomationExecutionId=execution_id)['AutomationExecution']
                    self.until(lambda: get()['AutomationExecutionStatus'] in TERMINAL_AUTOMATION, 'automation %s' % execution_id)
                    for i, s in enumerate(get()['StepExecutions'], start=1):
                        b['step:%d:%d' % (n, i)] = s['StepExecutionId']
            elif 'stack' in step:
                key = step['stack']
                name = self.fresh(key)
                cfn.create_stack(StackName=name, TemplateBody=TEMPLATES[step['template']], Capabilities=['CAPABILITY_IAM'])
                self.created.append(('stack', name))
                self.until(lambda: TERMINAL_STACK.search(cfn.describe_stacks(StackName=name)['Stacks'][0]['StackStatus']), 'stack %s' % name)
                status = cfn.describe_stacks(StackName=name)['Stacks'][0]['StackStatus']
                if status != 'CREATE_COMPLETE':
                    raise SetupError('stack %s ended %s' % (name, status))
                b['stack:' + key] = name
            elif 'changeSet' in step:
                key = step['changeSet']
                stack = b['stack:' + key]
                cs_name = self.fresh('cs-' + key)
                created = cfn.create_change_set(StackName=stack, ChangeSetName=cs_name, TemplateBody=TEMPLATES[step['template']], Capabilities=['CAPABILITY_IAM'])
                self.until(lambda: cfn.describe_change_set(ChangeSetName=created['Id'])['Status'] in TERMINAL_CHANGE_SET, 'change set %s' % cs_name)
                b['changeSetName:' + key] = cs_name
                b['changeSetArn:' + key] = created['Id']
            else:
                raise SetupError('unknown setup step %s' % json.dumps(step))
        return b

    def until(self, predicate, what):
        end = time.monotonic() + self.deadline
        while time.monotonic() < end:
            if predicate():
                return
            time.sleep(self.poll)
        raise SetupError('timed out waiting for %s' % what)

    # -------------------------------------------------------------- one case

    def run(self, case):
        result = {'id': case['id'], 'operation': case['operation'], 'service': case['service']}
        try:
            b = self.setup(case)
            request = self.remap(case['request'], case.get('remap', {}), b)
            for key, value in (case.get('override') or {}).items():
                request[key] = self.resolve(value, b)
        except ClientError as error:
            result['problems'] = {'setup': ['%s: %s' % (error.response['Error'].get('Code'), error.response['Error'].get('Message'))]}
            return result
        except SetupError as error:
            result['problems'] = {'setup': [str(error)]}
            return result
        client = self.clients[case['service']]
        method = re.sub(r'(?<!^)(?=[A-Z])', '_', case['operation']).lower()
        self.raw.pop(case['operation'], None)
        try:
            parsed = getattr(client, method)(**request)
        except ClientError as error:
            result['problems'] = {'error': ['%s: %s' % (error.response['Error'].get('Code'), error.response['Error'].get('Message'))]}
            return result
        except Exception as error:  # a client-side failure (parameter validation, an unparsable response)
            result['problems'] = {'error': ['%s: %s' % (type(error).__name__, error)]}
            return result
        raw = self.raw.get(case['operation'], b'')
        model = self.models[case['service']]
        extra = []
        if case['service'] == 'ssm':
            body = json.loads(raw) if raw.strip() else {}
            problems = compare(case, body)
            model.extra_json(body, model.output_shape(case['operation']), '', extra)
        else:
            parsed.pop('ResponseMetadata', None)
            problems = compare(case, parsed)
            shape = model.output_shape(case['operation'])
            if shape is not None and raw.strip():
                root = ET.fromstring(raw)
                result_el = next((c for c in root if c.tag.split('}', 1)[-1] == case['operation'] + 'Result'), None)
                if result_el is not None:
                    model.extra_xml(result_el, shape, '', extra)
        if extra:
            problems['extra'] = sorted(set(extra))
        result['problems'] = problems
        return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--endpoint')
    parser.add_argument('--cases', default=CASES)
    parser.add_argument('--instance-id', action='append', default=[])
    parser.add_argument('--instance-tag', help='KEY=VALUE of a tag the instances carry (for tag targets)')
    parser.add_argument('--only', help='run the cases whose id contains this text')
    parser.add_argument('--self-check', action='store_true', help="compare each case's expected output with its own shape")
    args = parser.parse_args()
    cases = [json.loads(line) for line in open(args.cases, encoding='utf-8') if line.strip()]
    if args.only:
        cases = [c for c in cases if args.only in c['id']]
    passed = 0
    if args.self_check:
        for case in cases:
            problems = compare(case, case['expected'], self_check=True)
            passed += not problems
            print(json.dumps({'id': case['id'], 'ok': not problems, 'problems': problems}))
        print('self-check: %d/%d' % (passed, len(cases)), file=sys.stderr)
        return
    if not args.endpoint:
        parser.error('--endpoint is required')
    tag = tuple(args.instance_tag.split('=', 1)) if args.instance_tag else None
    runner = Runner(args.endpoint, args.instance_id, tag)
    for case in cases:
        result = runner.run(case)
        runner.teardown()
        result['ok'] = not result['problems']
        passed += result['ok']
        print(json.dumps(result), flush=True)
    for note in runner.notes:
        print('note: ' + note, file=sys.stderr)
    print('aws-examples: %d/%d' % (passed, len(cases)), file=sys.stderr)


if __name__ == '__main__':
    main()
