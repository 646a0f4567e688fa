"""The accounts part of ``flask demo generate`` (core/bulk.py): the benchmark city's people.

Communities (+ buildings), one community_admin a community (adminNN@city.test), residents
r00001@city.test... spread evenly over communities, each with a resident role grant and a talent
profile; every account shares ONE password hash of the --password (hashing is slow by design);
pre-issued API tokens for the first residents of each community, their digest in api_tokens and
the clear tokens in a JSON file for the load generator (bench/README.md). The tokens are random
even with --seed, because they are credentials. Later steps find the plan with ``city_plan(ctx)``.
"""
import json
import os
import random
import secrets
from datetime import date, timedelta

import click
from flask import current_app

from community.accounts.operations import hash_password, token_digest
from community.core.bulk import BulkContext, bulk_step

DISTRICTS = ["张江", "临港", "虹桥", "漕河泾", "金桥", "外高桥", "徐汇滨江", "杨浦", "闵行", "嘉定",
             "松江", "青浦", "宝山", "奉贤", "前滩", "北外滩"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝丽阳"
EMPLOYERS = ["张江药谷生物", "临港智造", "集成电路设计院", "人工智能实验室", "软件园科技", "新能源汽车研究院",
             "市第六人民医院", "复旦大学", "同济大学", "金融科技中心", "航运服务集团", "社区卫生服务中心"]
TALENT_TYPES = ["production", "business", "skill_service", "skill_leading", "social_service", "academic",
                "high_level"]
TIERS = [("junior", 45), ("intermediate", 33), ("senior", 12), (None, 10)]
ACCOUNT_TABLES = ("communities", "buildings", "users", "role_grants", "talent_profiles", "api_tokens")
CITY = "accounts.city"  # BulkContext.shared key of the CityPlan

OPTIONS = (
    click.Option(["--communities"], default=10, show_default=True, type=click.IntRange(1, 500)),
    click.Option(["--residents"], default=20000, show_default=True, type=click.IntRange(1, 10_000_000)),
    click.Option(["--tokens"], default=2500, show_default=True, type=click.IntRange(0, 10_000_000),
                 help="API tokens to pre-issue, spread evenly over communities"),
    click.Option(["--tokens-file"], default=None,
                 help="where the clear tokens go (default: instance/bench-tokens.json)"),
    click.Option(["--password"], default="bench12345", show_default=True),
)


@bulk_step(10, "accounts", tables=ACCOUNT_TABLES, options=OPTIONS)
def generate_accounts(ctx: BulkContext):
    options, at = ctx.options, ctx.at
    plan = ctx.shared[CITY] = CityPlan(options["communities"], options["residents"], options["seed"])
    ctx.write("communities", *plan.communities(at))
    ctx.write("buildings", *plan.buildings())
    ctx.write("users", *plan.users(hash_password(options["password"]), at))
    ctx.write("role_grants", *plan.role_grants(at))
    ctx.write("talent_profiles", *plan.talent_profiles(at))
    issued = plan.tokens(options["tokens"], at)
    ctx.write("api_tokens", *issued.rows())
    url = ctx.writer.conn.engine.url
    path = options["tokens_file"] or default_tokens_file()

    def save_tokens():  # after the commit: the file names tokens that exist
        issued.save(path, url)
        ctx.echo(f"{len(issued.tokens):,} clear API tokens written to {path}")

    ctx.after_commit.append(save_tokens)


def city_plan(ctx: BulkContext) -> "CityPlan":
    """The communities and residents the accounts step planned, for steps that give them things."""
    return ctx.shared[CITY]


def default_tokens_file():
    return os.path.join(current_app.instance_path, "bench-tokens.json")


class CityPlan:
    """Communities, buildings, admins and residents, with ids assigned in order."""

    def __init__(self, communities, residents, seed):
        self.rng = random.Random(seed)
        self.n_communities = communities
        self.n_residents = residents
        self.width = max(5, len(str(residents)))
        self.admin_ids = list(range(1, communities + 1))  # admins first: ids 1..C
        self.inactive_ids = set()  # filled by users(); tokens() skips them (they would answer 401)
        first = communities + 1
        self.resident_ranges = []  # (first id, count) a community, contiguous
        per, extra = divmod(residents, communities)
        for index in range(communities):
            count = per + (1 if index < extra else 0)
            self.resident_ranges.append((first, count))
            first += count

    def communities(self, at):
        rows = []
        for index in range(self.n_communities):
            district = DISTRICTS[index % len(DISTRICTS)]
            suffix = f" {index // len(DISTRICTS) + 1}" if index >= len(DISTRICTS) else ""
            rows.append((index + 1, f"{district}青年人才社区{suffix}", f"上海市{district}路 {100 + index} 号",
                         "Asia/Shanghai", "zh_CN", at, at))
        return ("id", "name", "address", "timezone", "default_locale", "created_at", "updated_at"), rows

    def buildings(self):
        rows, ident = [], 0
        for community in range(1, self.n_communities + 1):
            for number in range(1, self.rng.randint(4, 8) + 1):
                ident += 1
                rows.append((ident, community, f"{number}号楼", self.rng.randint(6, 30)))
        return ("id", "community_id", "name", "floors"), rows

    def users(self, password_hash, at):
        columns = ("id", "email", "password_hash", "display_name", "locale", "community_id", "active",
                   "last_login_at", "created_at", "updated_at")
        rows = [(ident, f"admin{ident:02d}@city.test", password_hash, f"社区管理员{ident:02d}", None,
                 ident, True, None, at, at) for ident in self.admin_ids]
        number = 0
        for community, (first, count) in enumerate(self.resident_ranges, start=1):
            for ident in range(first, first + count):
                number += 1
                created = at - timedelta(days=self.rng.randint(30, 900))
                locale = "en" if self.rng.random() < 0.05 else None
                active = self.rng.random() > 0.01
                if not active:
                    self.inactive_ids.add(ident)
                rows.append((ident, f"r{number:0{self.width}d}@city.test", password_hash, self._name(),
                             locale, community, active,
                             at - timedelta(hours=self.rng.randint(1, 2000)), created, created))
        return columns, rows

    def _name(self):
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.randint(1, 2)))

    def role_grants(self, at):
        rows = [(ident, ident, "community_admin", ident, at) for ident in self.admin_ids]
        for community, (first, count) in enumerate(self.resident_ranges, start=1):
            rows.extend((len(rows) + 1, ident, "resident", community, at) for ident in range(first, first + count))
        return ("id", "user_id", "role", "community_id", "granted_at"), rows

    def talent_profiles(self, at):
        tiers, weights = zip(*TIERS)
        rows = []
        for index, ident in enumerate(self.resident_ids(), start=1):
            tier = self.rng.choices(tiers, weights)[0]
            rows.append((index, ident, self.rng.choice(TALENT_TYPES) if tier else None, tier,
                         date(at.year + 1, 12, 31) if tier else None, at if tier else None,
                         self.rng.choice(EMPLOYERS), at, at))
        return ("id", "user_id", "talent_type", "tier", "valid_until", "verified_at", "employer",
                "created_at", "updated_at"), rows

    def resident_ids(self):
        for first, count in self.resident_ranges:
            yield from range(first, first + count)

    def residents_of(self, community):
        return self.resident_ranges[community - 1]

    def tokens(self, wanted, at):
        """The first active residents of each community, round robin, get a token each (call after
        users(): a deactivated account's token would answer 401 and read as a failure under load)."""
        chosen = []
        depth = 0
        while len(chosen) < wanted and depth < max(count for _, count in self.resident_ranges):
            for community, (first, count) in enumerate(self.resident_ranges, start=1):
                if depth < count and len(chosen) < wanted and first + depth not in self.inactive_ids:
                    chosen.append((first + depth, community))
            depth += 1
        return IssuedTokens(chosen, at, self.width, self.resident_ranges)


class IssuedTokens:
    def __init__(self, chosen, at, width, ranges):
        self.at = at
        self.tokens = []
        for user_id, community in chosen:
            number = user_id - ranges[0][0] + 1  # residents are numbered from the first range
            self.tokens.append({"user_id": user_id, "community_id": community,
                                "email": f"r{number:0{width}d}@city.test",
                                "token": "tc_" + secrets.token_urlsafe(32)})

    def rows(self):
        expires = self.at + timedelta(days=365)
        rows = [(index, t["user_id"], token_digest(t["token"]), "bench",
                 self.at, expires) for index, t in enumerate(self.tokens, start=1)]
        return ("id", "user_id", "token_hash", "name", "created_at", "expires_at"), rows

    def save(self, path, url):
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        data = {"database": url.set(password=None).render_as_string(hide_password=False),
                "created_at": self.at.isoformat(), "tokens": self.tokens}
        with open(path, "w") as handle:
            json.dump(data, handle, indent=1)
        return path
