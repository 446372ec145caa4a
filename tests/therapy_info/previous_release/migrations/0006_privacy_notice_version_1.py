"""The privacy notice as the site showed it until now (templates/portal/privacy.html and its
translations in locale/*.po), stored as version 1 so content editors can maintain it in the admin.

The texts are copied here, not read from the catalogs, so this migration never changes meaning.
The contact address is the deployment's CONTACT_EMAIL when the migration runs; editors can change
it in a later version.
"""

import datetime

from django.conf import settings

from therapy_info.rendering import render_markdown

VERSION = "1"
EFFECTIVE_ON = datetime.date(2026, 1, 1)

BODIES = {
    "ar": "أنت تأتمننا على معلومات عن صحتك. توضّح هذه الصفحة ما الذي نجمعه، ولماذا، ومن يطّلع عليه، "
    "وإلى متى نحتفظ به.\n"
    "\n"
    "## ما الذي نجمعه\n"
    "\n"
    "ما تُدخله في نموذج الاستفسار فقط: من يملؤه، واسم المريض وجنسه وسنة ميلاده وبلده، وطريقة "
    "التواصل معك، وإجاباتك عن التشخيص والعلاجات حتى الآن، والمدن المفضّلة وخطط السفر، وأي سجلات "
    "طبية تختار رفعها. لا نستخدم أدوات تتبّع إعلانية ولا خدمات تحليل تابعة لجهات أخرى.\n"
    "\n"
    "## لماذا نجمعه\n"
    "\n"
    "للرد على استفسارك، ولمشاركة حالتك مع المستشفيات الشريكة في الصين التي تقدّم العلاج بخلايا "
    "CAR-T فقط إذا وافقت على ذلك بشكل منفصل. ولا تُعالَج المعلومات الصحية إلا بموافقتك الصريحة، "
    "التي تعطيها بمربع مستقل في النموذج.\n"
    "\n"
    "## من يطّلع عليه\n"
    "\n"
    "منسّقو المرضى لدينا فقط، لأنهم يحتاجون إليه للرد عليك. لا يستطيع محررو المحتوى ولا غيرهم "
    "من الموظفين رؤية الاستفسارات. ولا ترى المستشفيات الشريكة حالتك إلا بعد موافقتك.\n"
    "\n"
    "## إلى متى نحتفظ به\n"
    "\n"
    "نحتفظ بالاستفسار فقط ما دمنا نحتاج إليه لمساعدتك. بعد ذلك نُخفي هويته ونحذف السجلات "
    "المرفوعة.\n"
    "\n"
    "## حقوقك\n"
    "\n"
    "يمكنك في أي وقت أن تطلب نسخة من كل ما نحتفظ به عنك، أو أن تطلب تصحيحه، أو أن تسحب موافقة، "
    "أو أن تطلب حذفه، بالكتابة إلى [{email}](mailto:{email}). من فضلك اذكر الرقم المرجعي "
    "لاستفسارك.\n"
    "\n"
    "## الأمان\n"
    "\n"
    "لا يُقدَّم الموقع إلا عبر اتصالات مشفّرة. وتُحفظ السجلات المرفوعة بشكل خاص بأسماء عشوائية، "
    "ولا يفتحها إلا المنسّقون المخوَّلون.\n",
    "en": "You trust us with information about your health. This page explains what we collect, why, "
    "who sees it and how long we keep it.\n"
    "\n"
    "## What we collect\n"
    "\n"
    "Only what you enter in the enquiry form: who is filling it in, the patient's name, gender, "
    "year of birth and country, how to contact you, answers about the diagnosis and treatments "
    "so far, preferred cities and travel plans, and any medical records you choose to upload. "
    "We do not use advertising trackers or third-party analytics.\n"
    "\n"
    "## Why we collect it\n"
    "\n"
    "To answer your enquiry and, only if you agree separately, to share your case with partner "
    "hospitals in China that offer CAR-T cell therapy. Health information is processed only "
    "with your explicit consent, which you give with a separate box in the form.\n"
    "\n"
    "## Who sees it\n"
    "\n"
    "Only our patient coordinators, who need it to answer you. Content editors and other staff "
    "cannot see enquiries. Partner hospitals see your case only after you have agreed to it.\n"
    "\n"
    "## How long we keep it\n"
    "\n"
    "We keep an enquiry only as long as we need it to help you. Then we anonymise it and delete "
    "the uploaded records.\n"
    "\n"
    "## Your rights\n"
    "\n"
    "You can ask for a copy of everything we hold about you, ask us to correct it, withdraw a "
    "consent, or ask us to delete it, at any time, by writing to [{email}](mailto:{email}). "
    "Please mention your enquiry reference.\n"
    "\n"
    "## Security\n"
    "\n"
    "The site is served only over encrypted connections. Uploaded records are stored privately "
    "under random names and can be opened only by authorised coordinators.\n",
    "ru": "Вы доверяете нам сведения о своём здоровье. На этой странице объясняется, что мы собираем, "
    "зачем, кто это видит и как долго мы это храним.\n"
    "\n"
    "## Что мы собираем\n"
    "\n"
    "Только то, что вы вводите в форму обращения: кто её заполняет, имя, пол, год рождения и "
    "страну пациента, как с вами связаться, ответы о диагнозе и лечении, предпочтительные "
    "города и планы поездки, а также медицинские документы, которые вы решите загрузить. Мы не "
    "используем рекламные трекеры и стороннюю аналитику.\n"
    "\n"
    "## Зачем мы это собираем\n"
    "\n"
    "Чтобы ответить на ваше обращение и — только если вы отдельно на это согласитесь — передать "
    "сведения о вашем случае партнёрским больницам в Китае, которые проводят CAR-T-клеточную "
    "терапию. Сведения о здоровье обрабатываются только с вашего явного согласия, которое вы "
    "даёте отдельной галочкой в форме.\n"
    "\n"
    "## Кто это видит\n"
    "\n"
    "Только наши координаторы пациентов, которым это нужно, чтобы вам ответить. Редакторы сайта "
    "и другие сотрудники обращений не видят. Партнёрские больницы видят ваш случай только после "
    "вашего согласия.\n"
    "\n"
    "## Как долго мы это храним\n"
    "\n"
    "Мы храним обращение только до тех пор, пока оно нужно, чтобы вам помочь. Затем мы "
    "обезличиваем его и удаляем загруженные документы.\n"
    "\n"
    "## Ваши права\n"
    "\n"
    "Вы в любое время можете попросить копию всего, что мы о вас храним, попросить исправить "
    "эти сведения, отозвать согласие или попросить их удалить, написав на "
    "[{email}](mailto:{email}). Пожалуйста, укажите номер вашего обращения.\n"
    "\n"
    "## Безопасность\n"
    "\n"
    "Сайт работает только через зашифрованные соединения. Загруженные документы хранятся "
    "закрыто под случайными именами, и открыть их могут только уполномоченные координаторы.\n",
    "zh_hans": "您把自己的健康信息托付给我们。本页说明我们收集哪些信息、为什么收集、谁可以看到，以及保存多久。\n"
    "\n"
    "## 我们收集哪些信息\n"
    "\n"
    "仅限您在咨询表格中填写的内容：填表人是谁，患者的姓名、性别、出生年份和国家，联系方式，关于诊断和目前治疗的回答，希望去的城市和出行计划，以及您选择上传的病历资料。我们不使用广告跟踪器或第三方分析工具。\n"
    "\n"
    "## 我们为什么收集\n"
    "\n"
    "为了答复您的咨询；并且只有在您另行同意的情况下，才会将您的病例提供给在中国提供CAR-T细胞治疗的合作医院。只有在您明确同意后，我们才会处理健康信息；您可以在表格中单独勾选表示同意。\n"
    "\n"
    "## 谁可以看到\n"
    "\n"
    "只有需要据此答复您的患者协调员可以看到。内容编辑和其他工作人员无法查看咨询。只有在您同意之后，合作医院才能看到您的病例。\n"
    "\n"
    "## 我们保存多久\n"
    "\n"
    "我们只在帮助您所需的期间内保存咨询。之后我们会将其匿名化，并删除上传的病历资料。\n"
    "\n"
    "## 您的权利\n"
    "\n"
    "您可以随时写信至 [{email}](mailto:{email})，索取我们保存的关于您的全部信息的副本，要求更正、撤回同意或要求删除。请注明您的咨询编号。\n"
    "\n"
    "## 安全\n"
    "\n"
    "本网站只通过加密连接提供服务。上传的病历资料以随机名称私密保存，只有获得授权的协调员才能打开。\n",
}


def create_version_1(apps, schema_editor):
    PrivacyNotice = apps.get_model("therapy_info", "PrivacyNotice")
    if PrivacyNotice.objects.filter(version=VERSION).exists():
        return
    notice = PrivacyNotice(version=VERSION, effective_on=EFFECTIVE_ON)
    for code, text in BODIES.items():
        body = text.replace("{email}", settings.CONTACT_EMAIL)
        setattr(notice, f"body_{code}", body)
        setattr(notice, f"body_html_{code}", render_markdown(body).html)
    # The untranslated columns modeltranslation keeps hold the English.
    notice.body = notice.body_en
    notice.body_html = notice.body_html_en
    notice.save()
