"""Diminutives of common Ukrainian and Russian first names, and their English short forms.

People sign a web form as ``Саша`` and a contract as ``Олександр``; ``Vania``, ``Ваня`` and
``Іван`` are one name. :func:`canonical` maps a folded word (the form
:func:`~leadmodel.domain.matching._names.name_key` gives its words) to the folded full name it
is a diminutive of, and leaves any other word as it is. Male and female forms of one name
(``Олександр``, ``Олександра``) share their diminutives, so both map to the male form: a
nickname says the name, not who bears it. A diminutive of two names (``Женя``: Євген or
Євгенія) maps to the first.

The table is the names' common usage (Ukrainian and Russian spellings of each, in Cyrillic;
Latin spellings fold to the same key), not a list made for any data set.

>>> canonical(_word("Ваня")) == canonical(_word("Ivan")) == _word("Іван")
True
>>> canonical(_word("Sasha")) == _word("Олександр")
True
>>> canonical(_word("Koval")) == _word("Koval")
True
"""

from __future__ import annotations

from typing import Final

from leadmodel.domain.matching._names import _ascii, _fold

__all__ = ["canonical", "nickname_key"]

# full names (each spelling) : their diminutives and short forms
_TABLE: Final = """
Олександр Олександра Александр Александра Oleksandr Alexander Alexandra: Саша Сашко Шура Санько
    Саня Олесь Алекс Alex Oleks Sasha
Олексій Алексей Oleksii Alexei Alexey: Льоша Лёша Леша Альоша Алёша Олекса Alyosha
Дмитро Дмитрий Dmytro Dmitry: Діма Дима Митя Дімон Дмитрик Dima
Іван Иван Ivan: Ваня Іванко Ванько Івась Vania Vanya John
Михайло Михаил Mykhailo Mikhail: Міша Миша Михась Misha Michael
Микола Николай Mykola Nikolay: Коля Миколка Kolia Kolya Nick
Сергій Сергей Serhii Sergey: Сергійко Сєрьожа Серёжа Серьожа Serhiy Serge
Андрій Андрей Andrii Andrey: Андрійко Андрюша Andrew
Володимир Владимир Volodymyr Vladimir: Володя Вова Вовчик Volodia Vova
Юрій Юрий Yurii Yuri: Юра Юрко Yura
Євген Евгений Євгенія Евгения Yevhen Evgeny: Женя Женька Zhenia Zhenya Eugene
Віталій Виталий Vitalii Vitaly: Віталік Виталик Vitalik
Максим Maksym Maxim: Макс Max
Роман Roman: Рома Ромко Roma
Петро Петр Петро Petro Petr Peter: Петя Петрик Петрусь Petia Petya
Григорій Григорий Hryhorii Grigory: Гриша Грицько Grisha
Костянтин Константин Kostiantyn Konstantin: Костя Kostia Kostya
Антон Anton: Антоша Тоша Tosha
Артем Артём Artem: Тема Тьома Артемко Tema
Богдан Bohdan: Богданко Bodia
Тарас Taras: Тарасик Tarasyk
Василь Василий Vasyl Vasily: Вася Василько Vasia Vasya
Ярослав Ярослава Yaroslav Yaroslava: Ярик Слава Яся Yarik Slava
Ілля Илья Illia Ilya: Іллюша Илюша Ilyusha
Кирило Кирилл Kyrylo Kirill: Кирюша Kiriusha
Федір Фёдор Федор Fedir Fyodor: Федя Fedia Fedya
Олена Елена Алёна Алена Olena Elena Alena: Лєна Лена Оленка Альонка Ленуся Lena Helen
Оксана Oksana: Ксеня Оксанка Ksenia
Наталія Наталья Natalia Natalya: Наташа Ната Наталка Natasha Natalie
Ірина Ирина Iryna Irina: Іра Ира Іринка Ira
Тетяна Татьяна Tetiana Tatiana: Таня Тетянка Tania Tanya
Юлія Юлия Yuliia Yulia: Юля Юлька Yulia Julia
Марія Мария Mariia Maria: Маша Марійка Марічка Маруся Masha Mary
Анна Ганна Anna Hanna: Аня Ганя Ганнуся Анечка Ania Anya Ann
Ольга Olha Olga: Оля Olia Olya
Світлана Светлана Svitlana Svetlana: Світланка Света Світа Sveta
Катерина Екатерина Kateryna Ekaterina: Катя Катруся Katia Katya Kate Katherine
Людмила Liudmyla Lyudmila: Люда Людочка Люся Liuda Lyuda
Галина Halyna Galina: Галя Galia Galya
Вікторія Виктория Viktoriia Victoria: Віка Вика Vika Vicky
Христина Кристина Khrystyna Kristina: Христя Кристя Kristy
Софія София Sofiia Sofia: Софа Соня Sonia Sonya Sophie
Дарина Дарья Daryna Darya: Даша Даринка Даруся Dasha
Лариса Larysa Larisa: Лара Lara
Надія Надежда Nadiia Nadezhda: Надя Nadia Nadya
Любов Любовь Liubov Lyubov: Люба Liuba Lyuba
Анастасія Анастасия Anastasiia Anastasia: Настя Ася Nastia Nastya
Ксенія Ксения Kseniia Ksenia: Ксюша Ksiusha Ksyusha
Вячеслав В'ячеслав Viacheslav Vyacheslav: Славік Slavik
Владислав Vladyslav Vladislav: Влад Vlad
Станіслав Станислав Stanislav: Стас Stas
Валентина Valentyna Valentina: Валя Valia Valya
Валентин Valentyn Valentin: Валік Валик Valik
Павло Павел Pavlo Pavel: Паша Павлик Pasha Paul
Георгій Георгий Heorhii Georgy: Гоша Жора Gosha George
"""


def _word(text: str) -> str:
    """``text`` (one word) as :func:`~leadmodel.domain.matching._names.name_key` folds it."""
    return _fold(" ".join(_ascii(text).split()))


def _build() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in _TABLE.replace("\n    ", " ").strip().splitlines():
        names, _, short = line.partition(":")
        full = [_word(name) for name in names.split()]
        for form in full[1:] + [_word(word) for word in short.split()]:
            table.setdefault(form, full[0])
    return table


_CANONICAL: Final = _build()


def canonical(word: str) -> str:
    """The folded full name the folded ``word`` is a diminutive or another form of; the word
    itself when it is none."""
    return _CANONICAL.get(word, word)


def nickname_key(key: str) -> str:
    """A name key (folded words, sorted) with each first name in its full form, sorted again:
    ``Vania Koval`` and ``Іван Коваль`` share it."""
    return " ".join(sorted(canonical(word) for word in key.split()))
